using System.Text.Json;
using System.Text.Json.Nodes;
using Shouldly;
using Tessera.Pipelines.Tools.Boutiques;

namespace Tessera.Pipelines.Tests.Bugs;

/// <summary>
/// The security finding "command injection through Boutiques inputs": value-keys were replaced one
/// input after another, so a value holding a later input's value-key had that input's quoted value
/// spliced inside its own quotes, where it ran (<c>echo A=[AA] B=[BB]</c> with aa="[BB]", bb="$(id)").
/// </summary>
public sealed class ValueKeyInsideValue
{
    private static JsonObject Echo(string pathTemplate = "output/log.txt") => JsonNode.Parse($$"""
        {
          "name": "echo-two", "tool-version": "1", "description": "Echoes two values.", "schema-version": "0.5",
          "command-line": "echo A=[AA] B=[BB] > [LOG]",
          "inputs": [
            { "id": "aa", "name": "AA", "type": "String", "value-key": "[AA]" },
            { "id": "bb", "name": "BB", "type": "String", "value-key": "[BB]" }
          ],
          "output-files": [ { "id": "log", "name": "Log", "path-template": "{{pathTemplate}}", "value-key": "[LOG]" } ]
        }
        """)!.AsObject();

    private static async Task<Invocation> ResolveAsync(JsonObject descriptor, object inputs)
    {
        var definition = await Descriptors.ReadAsync(descriptor);
        return Invocation.Resolve(definition.Descriptor, JsonSerializer.SerializeToElement(inputs));
    }

    [Fact]
    public async Task Resolve_ValueHoldsLaterInputsValueKey_StaysQuotedValue()
    {
        var invocation = await ResolveAsync(Echo(), new { aa = "[BB]", bb = "$(id)" });

        invocation.CommandLine.ShouldBe("echo A='[BB]' B='$(id)' > 'output/log.txt'");
    }

    [Fact]
    public async Task Run_ValueHoldsLaterInputsValueKey_PrintsValuesAndRunsNothing()
    {
        using var scratch = new ScratchDirectory();
        Directory.CreateDirectory(Path.Combine(scratch.Path, "output"));
        var invocation = await ResolveAsync(Echo(), new { aa = "[BB]", bb = $"$(touch {ScratchDirectory.Marker})`touch {ScratchDirectory.Marker}`; touch {ScratchDirectory.Marker}" });

        var run = await ShellRun.RunAsync(invocation.CommandLine, scratch.Path);

        run.ExitCode.ShouldBe(0, run.Error);
        File.ReadAllText(Path.Combine(scratch.Path, "output", "log.txt"))
            .ShouldBe($"A=[BB] B=$(touch {ScratchDirectory.Marker})`touch {ScratchDirectory.Marker}`; touch {ScratchDirectory.Marker}\n");
        scratch.MarkerExists.ShouldBeFalse();
    }

    [Fact]
    public async Task Resolve_ValueHoldsOutputsValueKey_StaysQuotedValue()
    {
        var invocation = await ResolveAsync(Echo(), new { aa = "[LOG]", bb = "b" });

        invocation.CommandLine.ShouldBe("echo A='[LOG]' B='b' > 'output/log.txt'");
    }

    [Fact]
    public async Task Resolve_PathTemplateValueHoldsValueKey_NotFilledInAgain()
    {
        var invocation = await ResolveAsync(Echo("output/[AA]-[BB].txt"), new { aa = "[BB]", bb = "b" });

        invocation.Outputs.Single().Path.ShouldBe("output/[BB]-b.txt");
        invocation.CommandLine.ShouldEndWith("> 'output/[BB]-b.txt'");
    }
}
