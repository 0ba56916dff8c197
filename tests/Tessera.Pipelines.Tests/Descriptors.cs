using System.Text.Json.Nodes;
using Tessera.Archive;
using Tessera.Pipelines.Tools;
using Tessera.Pipelines.Tools.Boutiques;

namespace Tessera.Pipelines.Tests;

/// <summary>Small descriptors for the tests, changed per test through their JSON nodes.</summary>
public static class Descriptors
{
    /// <summary>A valid descriptor: a count of the files staged in input/, written to output/count.txt.</summary>
    public static JsonObject Counter() => JsonNode.Parse("""
        {
          "name": "file-counter",
          "tool-version": "1.0.0",
          "description": "Counts the files of its target.",
          "schema-version": "0.5",
          "command-line": "find input -type f | wc -l > [COUNT] [VERBOSE] [LABEL]",
          "inputs": [
            { "id": "verbose", "name": "Verbose", "type": "Flag", "command-line-flag": "-v", "value-key": "[VERBOSE]", "optional": true },
            { "id": "label", "name": "Label", "type": "String", "value-key": "[LABEL]", "optional": true, "command-line-flag": "--label", "command-line-flag-separator": "=" }
          ],
          "output-files": [
            { "id": "count", "name": "Count", "path-template": "output/count.txt", "value-key": "[COUNT]" }
          ]
        }
        """)!.AsObject();

    public static string Text(this JsonObject descriptor) => descriptor.ToJsonString();

    /// <summary>Reads a descriptor that must be valid; a refusal fails the test with every problem listed.</summary>
    public static async Task<ToolDefinition> ReadAsync(JsonObject descriptor)
    {
        try
        {
            return await DescriptorReader.ReadAsync(descriptor.Text());
        }
        catch (TesseraException e)
        {
            Assert.Fail($"{e.Message} {string.Join(" | ", e.Details)}");
            throw;
        }
    }
}
