using System.Text.Json;

namespace Tessera.Client.Contracts;

/// <summary>The body of a PUT on a subject, session or scan; every property is optional.</summary>
public sealed record EntityBody(
    string? Description = null,
    JsonElement? Fields = null,
    string? Type = null,
    DateOnly? Date = null,
    Quality? Quality = null);

public sealed record SubjectDto(
    string Label, Guid Id, string? Description, JsonElement Fields, DateTime CreatedAt, DateTime UpdatedAt,
    PageDto<SessionDto>? Sessions = null);

public sealed record SessionDto(
    string Label, Guid Id, string Subject, string? Type, DateOnly? Date, string? Description, JsonElement Fields,
    DateTime CreatedAt, DateTime UpdatedAt, PageDto<ScanDto>? Scans = null);

public sealed record ScanDto(
    string Label, Guid Id, string? Type, Quality? Quality, string? Description, JsonElement Fields,
    DateTime CreatedAt, DateTime UpdatedAt);
