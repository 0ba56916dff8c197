using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using NJsonSchema;
using Tessera.Archive;
using Tessera.Archive.Access;
using Tessera.Archive.Data;

namespace Tessera.Pipelines.Assessments;

/// <summary>Assessment types: a name such as <c>qc/oct-kqi</c> and the JSON Schema its values follow. Site-wide; admins define them.</summary>
public sealed partial class AssessmentTypeService(ArchiveDbContext db, TimeProvider clock)
{
    private static readonly ConcurrentDictionary<string, JsonSchema> s_parsed = new(StringComparer.Ordinal);

    public async Task<(AssessmentType Type, bool Created)> PutAsync(Caller caller, string name, JsonElement schema, string? description, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!caller.IsAdmin)
            throw TesseraException.Forbidden("Only administrators define assessment types.");
        if (!NamePattern().IsMatch(name ?? ""))
            throw TesseraException.Invalid($"An assessment type is named by 1 to 128 lower-case letters, digits, '.', '_', '-' and '/' (e.g. qc/oct-kqi), not '{name}'.");
        if (schema.ValueKind != JsonValueKind.Object)
            throw TesseraException.Invalid("schema must be a JSON Schema (an object).");
        var text = schema.GetRawText();
        await ParseAsync(text);
        var now = clock.GetUtcNow().UtcDateTime;
        var existing = await db.AssessmentTypes.FirstOrDefaultAsync(t => t.Name == name, ct);
        if (existing is null)
        {
            existing = new AssessmentType { Name = name!, Schema = text, Description = description, CreatedAt = now, UpdatedAt = now };
            db.AssessmentTypes.Add(existing);
        }
        else
        {
            existing.Schema = text;
            existing.Description = description;
            existing.UpdatedAt = now;
        }
        await db.SaveChangesAsync(ct);
        return (existing, existing.CreatedAt == now);
    }

    public Task<List<AssessmentType>> ListAsync(CancellationToken ct) =>
        db.AssessmentTypes.AsNoTracking().OrderBy(t => t.Name).ToListAsync(ct);

    public async Task<AssessmentType> GetAsync(string name, CancellationToken ct) =>
        await db.AssessmentTypes.AsNoTracking().FirstOrDefaultAsync(t => t.Name == name, ct)
        ?? throw TesseraException.NotFound($"Assessment type '{name}'");

    /// <summary>Checks values against a type's schema; throws <see cref="ErrorKind.Invalid"/> listing every violation.</summary>
    public static async Task ValidateAsync(AssessmentType type, string valuesJson)
    {
        ArgumentNullException.ThrowIfNull(type);
        var errors = (await ParseAsync(type.Schema)).Validate(valuesJson);
        if (errors.Count > 0)
        {
            throw TesseraException.Invalid($"The values do not match assessment type '{type.Name}'.",
                errors.Select(e => $"{(string.IsNullOrEmpty(e.Path) ? "#" : e.Path)}: {e.Kind}{(e.Property is null ? "" : $" ({e.Property})")}").ToList());
        }
    }

    private static async Task<JsonSchema> ParseAsync(string text)
    {
        if (s_parsed.TryGetValue(text, out var schema))
            return schema;
        try
        {
            schema = await JsonSchema.FromJsonAsync(text);
        }
        catch (Exception e) when (e is Newtonsoft.Json.JsonException or InvalidOperationException or NotSupportedException)
        {
            throw TesseraException.Invalid($"The schema is not a valid JSON Schema: {e.Message}");
        }
        return s_parsed[text] = schema;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._/-]{0,127}$")]
    private static partial Regex NamePattern();
}
