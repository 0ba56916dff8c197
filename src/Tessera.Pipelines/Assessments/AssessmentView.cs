using Tessera.Archive.Data;

namespace Tessera.Pipelines.Assessments;

/// <summary>An assessment with the labels of what it is about.</summary>
public sealed record AssessmentView(Assessment Assessment, string Subject, string Session, string? Scan);
