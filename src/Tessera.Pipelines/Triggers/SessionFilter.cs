using System.Text.Json;
using System.Text.Json.Nodes;
using Tessera.Archive;

namespace Tessera.Pipelines.Triggers;

/// <summary>Which sessions a rule or batch takes: of a type, and with custom fields of given values.</summary>
public static class SessionFilter
{
    /// <summary>Checks that <paramref name="fields"/> is a JSON object of field names to values (or absent), and returns it as text.</summary>
    public static string? Normalize(JsonElement? fields)
    {
        if (fields is not { } f || f.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            return null;
        if (f.ValueKind != JsonValueKind.Object)
            throw TesseraException.Invalid("fields must be an object of custom field names to the values a session must have, e.g. {\"eye\": \"OD\"}.");
        return f.GetRawText();
    }

    /// <summary>Whether a session with custom fields <paramref name="sessionFields"/> (JSON) has every value <paramref name="wanted"/> (JSON object) names.</summary>
    public static bool Matches(string? sessionFields, string? wanted)
    {
        if (wanted is null)
            return true;
        var want = JsonNode.Parse(wanted)!.AsObject();
        if (want.Count == 0)
            return true;
        if (sessionFields is null)
            return false;
        var have = JsonNode.Parse(sessionFields) as JsonObject;
        return have is not null && want.All(kv => have.TryGetPropertyValue(kv.Key, out var value) && JsonNode.DeepEquals(value, kv.Value));
    }
}
