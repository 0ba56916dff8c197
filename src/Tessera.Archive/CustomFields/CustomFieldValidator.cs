using System.Collections.Concurrent;
using System.Text.Json;
using NJsonSchema;
using Tessera.Archive.Data;
using Tessera.Archive.Hierarchy;

namespace Tessera.Archive.CustomFields;

/// <summary>Validates custom-field values against a project's JSON Schema for the entity type.</summary>
public sealed class CustomFieldValidator
{
    private readonly ConcurrentDictionary<string, JsonSchema> _parsed = new(StringComparer.Ordinal);

    /// <summary>Parses a schema an owner submits; throws <see cref="ErrorKind.Invalid"/> when it is not a usable JSON Schema.</summary>
    public async Task<string> ParseSchemaAsync(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            throw TesseraException.Invalid("A custom-field schema must be a JSON object (a JSON Schema).");
        }
        var text = schema.GetRawText();
        try
        {
            _parsed[text] = await JsonSchema.FromJsonAsync(text);
        }
        catch (Exception e) when (e is Newtonsoft.Json.JsonException or InvalidOperationException or NotSupportedException)
        {
            throw TesseraException.Invalid($"The custom-field schema is not a valid JSON Schema: {e.Message}");
        }
        return text;
    }

    /// <summary>Returns the normalised JSON text of <paramref name="fields"/>, or throws listing every violation.</summary>
    public async Task<string> ValidateAsync(Project project, EntityType type, JsonElement? fields)
    {
        ArgumentNullException.ThrowIfNull(project);
        if (fields is { } f && f.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null or JsonValueKind.Undefined))
        {
            throw TesseraException.Invalid("fields must be a JSON object.");
        }
        var json = fields is { ValueKind: JsonValueKind.Object } o ? o.GetRawText() : "{}";
        var schemaText = type switch
        {
            EntityType.Subject => project.SubjectSchema,
            EntityType.Session => project.SessionSchema,
            _ => project.ScanSchema,
        };
        if (schemaText is null)
        {
            return json;
        }
        if (!_parsed.TryGetValue(schemaText, out var schema))
        {
            schema = await JsonSchema.FromJsonAsync(schemaText);
            _parsed[schemaText] = schema;
        }
        var errors = schema.Validate(json);
        if (errors.Count > 0)
        {
            var details = errors
                .Select(e => $"{(string.IsNullOrEmpty(e.Path) ? "#" : e.Path)}: {e.Kind}{(e.Property is null ? "" : $" ({e.Property})")}")
                .ToList();
            throw TesseraException.Invalid(
                $"The {type.ToString().ToLowerInvariant()} fields do not match project '{project.Slug}''s schema.", details);
        }
        return json;
    }
}
