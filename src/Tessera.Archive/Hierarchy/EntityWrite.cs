using System.Text.Json;
using Tessera.Archive.Data;

namespace Tessera.Archive.Hierarchy;

/// <summary>
/// What a PUT on a subject, session or scan sets. Omitted properties keep their stored value;
/// <see cref="Fields"/>, when given, replaces the custom-field values as a whole.
/// </summary>
public sealed record EntityWrite
{
    public string? Description { get; init; }
    public JsonElement? Fields { get; init; }
    public string? Type { get; init; }
    public DateOnly? Date { get; init; }
    public ScanQuality? Quality { get; init; }
}
