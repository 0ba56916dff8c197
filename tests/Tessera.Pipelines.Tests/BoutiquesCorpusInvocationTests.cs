using System.Text.Json;
using System.Text.Json.Nodes;
using Shouldly;
using Tessera.Pipelines.Tools.Boutiques;

namespace Tessera.Pipelines.Tests;

/// <summary>
/// The Boutiques authors' own example descriptors with their own invocations (<see cref="BoutiquesCorpus"/>),
/// moved into a Tessera workspace (outputs under output/, files relative to it), then with hostile
/// values in place of their strings and files; each run by a shell. A tool this machine lacks is
/// stood in for by <c>printf '&lt;%s&gt;\n'</c>, which prints the words it would have been given.
/// </summary>
public sealed class BoutiquesCorpusInvocationTests
{
    private const string Hostile = $"it's \"$(touch {ScratchDirectory.Marker})\" `touch {ScratchDirectory.Marker}`; touch {ScratchDirectory.Marker} [STRING_INPUT] [LOG] [MASK] 🙂";

    public static TheoryData<string, string> StoodInFor => new()
    {
        { "schema/examples/example1/example1_docker.json", "schema/examples/example1/invocation.json" },
        { BoutiquesCorpus.FslBet, "schema/examples/fsl_bet/example_invocation.json" },
        { BoutiquesCorpus.FslBet, "schema/examples/fsl_bet/example_complete_invocation.json" },
        { "tests/example_flag/example-flag.json", "tests/example_flag/i1.json" },
        { "tests/example_flag/example-flag.json", "tests/example_flag/i2.json" },
        { "tests/example_flag/example-flag.json", "tests/example_flag/i3.json" },
        { "tests/example_flag/example-flag.json", "tests/example_flag/i4.json" },
    };

    [Theory]
    [MemberData(nameof(StoodInFor))]
    public async Task Run_AuthorsInvocation_ToolGivenBoutiquesWords(string descriptorFile, string invocationFile)
    {
        var d = Read(descriptorFile);
        var invocation = Invocation.Resolve(d, Inputs(invocationFile, hostile: false));

        var run = await RunAsync(d, invocation, standIn: true);

        run.Output.ShouldBe(ShellRun.Printed(BoutiquesWords.OfBareTemplate(d, invocation)), invocation.CommandLine);
    }

    [Theory]
    [MemberData(nameof(StoodInFor))]
    public async Task Run_AuthorsInvocationWithHostileValues_ToolGivenThemAndNothingRuns(string descriptorFile, string invocationFile)
    {
        var d = Read(descriptorFile);
        var invocation = Invocation.Resolve(d, Inputs(invocationFile, hostile: true));

        var run = await RunAsync(d, invocation, standIn: true);

        run.Output.ShouldBe(ShellRun.Printed(BoutiquesWords.OfBareTemplate(d, invocation)), invocation.CommandLine);
    }

    [Theory]
    [InlineData(false, "foo bar\n")]
    [InlineData(true, Hostile + " [STRING_INPUT]\n")]
    public async Task Run_Example2_ValuesInTemplatesQuotesPrinted(bool hostile, string log)
    {
        // /usr/bin/printf '[STRING_INPUT]\n': the values are printf's format, so the hostile ones hold no % or \.
        var d = Read(BoutiquesCorpus.Example2);
        var invocation = Invocation.Resolve(d, Inputs("schema/examples/example2/invocation.json", hostile));

        await RunAsync(d, invocation, standIn: false, read: "output/test_temp/log.txt", expected: log);
    }

    [Theory]
    [InlineData(false, "foo bar ./test_temp/FileValue.txt\n")]
    [InlineData(true, Hostile + " [STRING_INPUT] ./test_temp/" + Hostile + ".txt\n")]
    public async Task Run_Example3_BashEchoesValuesToLog(bool hostile, string log)
    {
        var d = Read("schema/examples/example3/example3.json");
        var invocation = Invocation.Resolve(d, Inputs("schema/examples/example3/invocation.json", hostile));

        var path = invocation.Outputs.Single().Path;
        path.ShouldBe(hostile ? $"output/test_temp/log-{Hostile}.txt" : "output/test_temp/log-FileValue.txt");
        await RunAsync(d, invocation, standIn: false, read: path, expected: log);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Run_TestBaremetal_FileOfGivenNameWrittenAndRead(bool hostile)
    {
        var d = Read("tests/exec/test_baremetal.json");
        var invocation = Invocation.Resolve(d, Inputs("tests/exec/test_baremetal_invoc.json", hostile));

        var run = await RunAsync(d, invocation, standIn: false, read: hostile ? Hostile : "test_baremetal_exec.txt", expected: "Bare metal execution\n");

        run.Output.ShouldBe("Bare metal execution\n");
    }

    private static BoutiquesDescriptor Read(string file)
    {
        var node = JsonNode.Parse(BoutiquesCorpus.Read(file))!.AsObject();
        // Tessera keeps what a tool writes under output/.
        foreach (var output in node["output-files"]?.AsArray() ?? [])
        {
            var template = output!["path-template"]!.GetValue<string>();
            template = template.StartsWith("./", StringComparison.Ordinal) ? template[2..] : template;
            output["path-template"] = template.StartsWith("output/", StringComparison.Ordinal) ? template : "output/" + template;
        }
        return node.Deserialize<BoutiquesDescriptor>()!;
    }

    /// <summary>The invocation's values, absolute paths made relative; hostile: strings (but choices) and files replaced.</summary>
    private static JsonElement Inputs(string file, bool hostile)
    {
        var node = JsonNode.Parse(BoutiquesCorpus.Read(file))!.AsObject();
        foreach (var (name, value) in node.ToList())
        {
            if (value is JsonArray items)
                node[name] = new JsonArray(items.Select((item, i) => Replace(item!, hostile, i)).ToArray());
            else
                node[name] = Replace(value!, hostile, 0);
        }
        return JsonSerializer.SerializeToElement(node);
    }

    private static JsonNode Replace(JsonNode value, bool hostile, int index)
    {
        if (value.GetValueKind() != JsonValueKind.String)
            return value.DeepClone();
        var text = value.GetValue<string>();
        if (text.StartsWith('/'))
            text = text.TrimStart('/');
        if (!hostile || text is "val1" or "val2" or "val3")
            return JsonValue.Create(text);
        // A path keeps its folders, so it stays inside the workspace; its name becomes hostile.
        var folder = Path.GetDirectoryName(text);
        var hostileText = index == 0 ? Hostile : "[STRING_INPUT]";
        return JsonValue.Create(string.IsNullOrEmpty(folder) || !text.Contains('.', StringComparison.Ordinal) ? hostileText : $"{folder}/{hostileText}{Path.GetExtension(text)}");
    }

    private static async Task<ShellRun> RunAsync(BoutiquesDescriptor d, Invocation invocation, bool standIn, string? read = null, string? expected = null)
    {
        using var scratch = new ScratchDirectory();
        foreach (var output in invocation.Outputs)
            Directory.CreateDirectory(Path.Combine(scratch.Path, Path.GetDirectoryName(output.Path)!));
        var command = invocation.CommandLine;
        if (standIn)
            command = "printf '<%s>\\n' " + command;
        var run = await ShellRun.RunAsync(command, scratch.Path, d.Shell ?? "/bin/sh");

        run.ExitCode.ShouldBe(0, $"{command}\n{run.Error}");
        scratch.MarkerExists.ShouldBeFalse(command);
        if (read is not null)
            File.ReadAllText(Path.Combine(scratch.Path, read)).ShouldBe(expected);
        return run;
    }
}
