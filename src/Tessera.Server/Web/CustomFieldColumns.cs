using System.Text.Json;

namespace Tessera.Server.Web;

/// <summary>Table columns for custom fields: the top-level properties a project's JSON Schema declares.</summary>
public sealed class CustomFieldColumns
{
    private CustomFieldColumns(IReadOnlyList<string> names) => Names = names;

    public IReadOnlyList<string> Names { get; }

    public static CustomFieldColumns FromSchema(string? schema)
    {
        if (string.IsNullOrEmpty(schema))
        {
            return new CustomFieldColumns([]);
        }
        using var document = JsonDocument.Parse(schema);
        return document.RootElement.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object
            ? new CustomFieldColumns(properties.EnumerateObject().Select(p => p.Name).ToList())
            : new CustomFieldColumns([]);
    }

    /// <summary>The display text of one field of an entity's stored values ("" when absent).</summary>
    public static string ValueOf(string? fields, string name)
    {
        if (string.IsNullOrEmpty(fields))
        {
            return "";
        }
        using var document = JsonDocument.Parse(fields);
        if (!document.RootElement.TryGetProperty(name, out var value))
        {
            return "";
        }
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() ?? "",
            JsonValueKind.Null => "",
            _ => value.GetRawText(),
        };
    }
}
