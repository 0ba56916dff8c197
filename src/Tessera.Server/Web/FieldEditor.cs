using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tessera.Archive;

namespace Tessera.Server.Web;

/// <summary>
/// One form input for a custom field, chosen by the type its JSON Schema property declares.
/// <see cref="ChoiceJson"/> holds each choice as JSON, so that a chosen number stays a number.
/// </summary>
public sealed record FieldInput(
    string Name, string Kind, IReadOnlyList<string> Choices, IReadOnlyList<string> ChoiceJson, string Value, bool Required, string? Help)
{
    public string InputName => FieldEditor.Prefix + Name;
}

/// <summary>
/// Custom fields as an HTML form and back: a text, number, checkbox or choice per schema
/// property (JSON text for objects and arrays), read back into the JSON the archive validates.
/// </summary>
public static class FieldEditor
{
    public const string Prefix = "field.";

    public static IReadOnlyList<FieldInput> Inputs(string? schema, string? fields)
    {
        if (string.IsNullOrEmpty(schema))
        {
            return [];
        }
        using var schemaDocument = JsonDocument.Parse(schema);
        using var valuesDocument = JsonDocument.Parse(string.IsNullOrEmpty(fields) ? "{}" : fields);
        var root = schemaDocument.RootElement;
        if (!root.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
        {
            return [];
        }
        var required = root.TryGetProperty("required", out var names) && names.ValueKind == JsonValueKind.Array
            ? names.EnumerateArray().Select(n => n.GetString()).ToHashSet()
            : [];
        var inputs = new List<FieldInput>();
        foreach (var property in properties.EnumerateObject())
        {
            var definition = property.Value;
            var kind = KindOf(definition);
            var choices = definition.ValueKind == JsonValueKind.Object && definition.TryGetProperty("enum", out var values) && values.ValueKind == JsonValueKind.Array
                ? values.EnumerateArray().ToList()
                : [];
            var value = valuesDocument.RootElement.ValueKind == JsonValueKind.Object && valuesDocument.RootElement.TryGetProperty(property.Name, out var stored)
                ? Text(stored)
                : "";
            var help = definition.ValueKind == JsonValueKind.Object && definition.TryGetProperty("description", out var text) ? text.GetString() : null;
            inputs.Add(new FieldInput(property.Name, choices.Count > 0 ? "choice" : kind, choices.Select(Text).ToList(),
                choices.Select(c => c.GetRawText()).ToList(), value, required.Contains(property.Name), help));
        }
        return inputs;
    }

    /// <summary>The inputs holding what was submitted, to show a refused form again as it was sent.</summary>
    public static IReadOnlyList<FieldInput> Inputs(string? schema, IFormCollection form)
    {
        ArgumentNullException.ThrowIfNull(form);
        return Inputs(schema, (string?)null).Select(i => i with { Value = form[i.InputName].ToString() }).ToList();
    }

    /// <summary>The submitted values as a JSON object; empty inputs leave their field out.</summary>
    public static JsonElement Read(string? schema, IFormCollection form)
    {
        ArgumentNullException.ThrowIfNull(form);
        var result = new JsonObject();
        foreach (var input in Inputs(schema, (string?)null))
        {
            var raw = form[input.InputName].ToString();
            if (input.Kind == "boolean")
            {
                result[input.Name] = raw == "true";
                continue;
            }
            if (string.IsNullOrWhiteSpace(raw))
            {
                continue;
            }
            raw = raw.Trim();
            result[input.Name] = input.Kind switch
            {
                // Anything that does not parse goes as text: the schema check then names the field and the rule.
                "integer" => long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole) ? whole : raw,
                "number" => double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) ? real : raw,
                "json" => ParseJson(input.Name, raw),
                "choice" => input.Choices.ToList().IndexOf(raw) is >= 0 and var index ? JsonNode.Parse(input.ChoiceJson[index]) : raw,
                _ => raw,
            };
        }
        return JsonSerializer.SerializeToElement(result);
    }

    private static string KindOf(JsonElement definition)
    {
        if (definition.ValueKind != JsonValueKind.Object || !definition.TryGetProperty("type", out var type))
        {
            return "text";
        }
        var name = type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Select(t => t.GetString()).FirstOrDefault(t => t != "null")
            : type.GetString();
        // A date (JSON Schema's format "date", as the settings' field builder writes it) gets the browser's date input.
        if (name == "string" && definition.TryGetProperty("format", out var format) && format.ValueKind == JsonValueKind.String && format.GetString() == "date")
        {
            return "date";
        }
        return name switch
        {
            "integer" => "integer",
            "number" => "number",
            "boolean" => "boolean",
            "object" or "array" => "json",
            _ => "text",
        };
    }

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.Null or JsonValueKind.Undefined => "",
        _ => value.GetRawText(),
    };

    private static JsonNode? ParseJson(string name, string raw)
    {
        try
        {
            return JsonNode.Parse(raw);
        }
        catch (JsonException)
        {
            throw TesseraException.Invalid($"The field '{name}' needs JSON (an object or a list).");
        }
    }
}
