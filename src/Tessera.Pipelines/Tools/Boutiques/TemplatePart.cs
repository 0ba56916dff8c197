namespace Tessera.Pipelines.Tools.Boutiques;

/// <summary>A run of a template's own text, or one of its value-keys (<see cref="ValueKeyTemplate"/>).</summary>
public readonly record struct TemplatePart(string Text, bool IsKey);
