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

    /// <summary>The display text of each column for one entity's stored values ("" when absent); parses them once.</summary>
    public IReadOnlyList<string> ValuesOf(string? fields)
    {
        if (Names.Count == 0 || string.IsNullOrEmpty(fields))
        {
            return Names.Select(_ => "").ToList();
        }
        using var document = JsonDocument.Parse(fields);
        return Names.Select(name => document.RootElement.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString() ?? "",
                JsonValueKind.Null => "",
                _ => value.GetRawText(),
            }
            : "").ToList();
    }
}
