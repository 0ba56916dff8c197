using System.Collections.Concurrent;
using System.Text.Json;
using NJsonSchema;
using Tessera.Archive.Data;
using Tessera.Archive.Hierarchy;

namespace Tessera.Archive.CustomFields;

/// <summary>
/// Validates custom-field values against a project's JSON Schema for the entity type. Schemas come from project owners:
/// references may point only inside the schema (never a URL the server would fetch or a file it would read), and a
/// pattern is matched within the process's regular-expression timeout (<see cref="RegexTimeout"/>).
/// </summary>
public sealed class CustomFieldValidator
{
    /// <summary>Parsed schemas kept at most; beyond, the cache starts again (owners can write many schemas).</summary>
    private const int MaxCachedSchemas = 1000;

    /// <summary>A schema as parsed once: NJsonSchema's model, and its patterns for the matching budget.</summary>
    private sealed record Parsed(JsonSchema Schema, IReadOnlyCollection<string> Patterns);

    private readonly ConcurrentDictionary<string, Parsed> _parsed = new(StringComparer.Ordinal);

    /// <summary>Parses a schema an owner submits; throws <see cref="ErrorKind.Invalid"/> when it is not a usable JSON Schema.</summary>
    public async Task<string> ParseSchemaAsync(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            throw TesseraException.Invalid("A custom-field schema must be a JSON object (a JSON Schema).");
        }
        var text = schema.GetRawText();
        if (ExternalReference(schema) is { } reference)
            throw TesseraException.Invalid($"The custom-field schema is not a valid JSON Schema: {new ExternalReferenceException(reference).Message}");
        try
        {
            var parsed = await ParseAsync(text);
            // A schema that refers to itself without end ({"$ref":"#"}) parses, then fails every validation: refused here.
            parsed.Schema.Validate("{}");
            Remember(text, parsed);
        }
        catch (Exception e) when (e is Newtonsoft.Json.JsonException or InvalidOperationException or NotSupportedException)
        {
            throw TesseraException.Invalid($"The custom-field schema is not a valid JSON Schema: {(e as ExternalReferenceException ?? e.InnerException as ExternalReferenceException ?? e).Message}");
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
        if (!_parsed.TryGetValue(schemaText, out var parsed))
        {
            parsed = await ParseAsync(schemaText);
            Remember(schemaText, parsed);
        }
        ICollection<NJsonSchema.Validation.ValidationError> errors;
        try
        {
            PatternBudget.Check(parsed.Patterns, fields is { ValueKind: JsonValueKind.Object } values ? values : default);
            errors = parsed.Schema.Validate(json);
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException e)
        {
            throw TesseraException.Invalid(
                $"The {type.ToString().ToLowerInvariant()} fields could not be checked: the pattern '{e.Pattern}' of project '{project.Slug}''s schema takes too long to match "
                + $"({PatternBudget.Budget.TotalSeconds:0.#} s for all of a request's values). A project owner should simplify it (no nested repetition such as (a+)+).");
        }
        catch (InvalidOperationException e)
        {
            throw TesseraException.Invalid($"The {type.ToString().ToLowerInvariant()} fields could not be checked against project '{project.Slug}''s schema: {e.Message}. A project owner should correct the schema.");
        }
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

    /// <summary>The first <c>$ref</c> that does not point inside the schema, or null.</summary>
    private static string? ExternalReference(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject()
            .Select(p => p is { Name: "$ref", Value.ValueKind: JsonValueKind.String } && p.Value.GetString() is { } target && !target.StartsWith('#')
                ? target : ExternalReference(p.Value))
            .FirstOrDefault(r => r is not null),
        JsonValueKind.Array => element.EnumerateArray().Select(ExternalReference).FirstOrDefault(r => r is not null),
        _ => null,
    };

    private void Remember(string text, Parsed schema)
    {
        if (_parsed.Count >= MaxCachedSchemas)
            _parsed.Clear();
        _parsed[text] = schema;
    }

    private static async Task<Parsed> ParseAsync(string text) => new(
        await JsonSchema.FromJsonAsync(text, documentPath: null, schema => new InsideReferencesOnly(new JsonSchemaAppender(schema, new DefaultTypeNameGenerator()))),
        PatternBudget.PatternsOf(text));

    /// <summary>Resolves <c>#/…</c> references and refuses every other (NJsonSchema would read files and fetch URLs).</summary>
    private sealed class InsideReferencesOnly(JsonSchemaAppender appender) : JsonReferenceResolver(appender)
    {
        public override Task<NJsonSchema.References.IJsonReference> ResolveFileReferenceAsync(string filePath, CancellationToken cancellationToken = default) =>
            throw new ExternalReferenceException(filePath);

        public override Task<NJsonSchema.References.IJsonReference> ResolveUrlReferenceAsync(string url, CancellationToken cancellationToken = default) =>
            throw new ExternalReferenceException(url);
    }

    private sealed class ExternalReferenceException(string reference)
        : NotSupportedException($"it refers to '{reference}', outside itself: only references inside the schema (\"#/…\") are allowed.");
}
