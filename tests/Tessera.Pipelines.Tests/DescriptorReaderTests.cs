using System.Text.Json.Nodes;
using Shouldly;
using Tessera.Archive;
using Tessera.Pipelines.Tools.Boutiques;

namespace Tessera.Pipelines.Tests;

public sealed class DescriptorReaderTests
{
    [Theory]
    [MemberData(nameof(BoutiquesCorpus.SchemaExamples), MemberType = typeof(BoutiquesCorpus))]
    public async Task SchemaProblems_BoutiquesExamples_None(string file)
    {
        (await DescriptorReader.SchemaProblemsAsync(BoutiquesCorpus.Read(file))).ShouldBeEmpty();
    }

    [Fact]
    public async Task Read_BoutiquesDescriptorWithUnknownKeys_SchemaProblemsListed()
    {
        var error = await Should.ThrowAsync<TesseraException>(() => DescriptorReader.ReadAsync(BoutiquesCorpus.Read(BoutiquesCorpus.UnknownKeys)));

        error.Message.ShouldContain("Boutiques schema");
        error.Details.ShouldContain(d => d.Contains("command-line-key", StringComparison.Ordinal), string.Join(" | ", error.Details));
    }

    [Fact]
    public async Task Read_NotJson_SaysSo()
    {
        var error = await Should.ThrowAsync<TesseraException>(() => DescriptorReader.ReadAsync(BoutiquesCorpus.Read(BoutiquesCorpus.InvalidJson)));

        error.Kind.ShouldBe(ErrorKind.Invalid);
        error.Message.ShouldStartWith("The descriptor is not JSON");
    }

    [Fact]
    public async Task Read_BoutiquesInvalidGroups_ExclusiveAndAllOrNoneRefused()
    {
        var error = await Should.ThrowAsync<TesseraException>(() => DescriptorReader.ReadAsync(BoutiquesCorpus.Read(BoutiquesCorpus.InvalidGroups)));

        error.Details.ShouldContain(d => d.Contains("'extra1' is in a mutually exclusive group and in an all-or-none group", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Read_FslBet_OnlyItsOutputsOutsideOutputFolderRefused()
    {
        var error = await Should.ThrowAsync<TesseraException>(() => DescriptorReader.ReadAsync(BoutiquesCorpus.Read(BoutiquesCorpus.FslBet)));

        error.Details.ShouldNotBeEmpty();
        error.Details.ShouldAllBe(d => d.Contains("must lie inside output/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Read_Example2_NameWithSpacesNeedsTesseraName()
    {
        var descriptor = JsonNode.Parse(BoutiquesCorpus.Read(BoutiquesCorpus.Example2))!.AsObject();
        var error = await Should.ThrowAsync<TesseraException>(() => DescriptorReader.ReadAsync(descriptor.Text()));
        error.Details.ShouldContain(d => d.Contains("custom.tessera:name", StringComparison.Ordinal));

        descriptor["custom"] = new JsonObject { ["tessera:name"] = "example-two" };
        descriptor["output-files"]![0]!["path-template"] = "output/log.txt";
        var definition = await Descriptors.ReadAsync(descriptor);

        definition.Key.ShouldBe("example-two@0.0.1");
    }

    [Fact]
    public async Task Read_Valid_DefinitionWithCustomKeys()
    {
        var descriptor = Descriptors.Counter();
        descriptor["custom"] = new JsonObject
        {
            ["tessera:assessmentType"] = "qc/counts",
            ["tessera:inputs"] = new JsonArray("**/*.dcm", "*.txt"),
            ["tessera:timeout"] = 120,
            ["tessera:maxAttempts"] = 3,
        };

        var definition = await Descriptors.ReadAsync(descriptor);

        definition.Key.ShouldBe("file-counter@1.0.0");
        definition.AssessmentType.ShouldBe("qc/counts");
        definition.InputPatterns.ShouldBe(["**/*.dcm", "*.txt"]);
        definition.TimeoutSeconds.ShouldBe(120);
        definition.MaxAttempts.ShouldBe(3);
        definition.RetryDelaySeconds.ShouldBeNull();
    }

    public static TheoryData<string, string> Broken => new()
    {
        { """{"path":"inputs/0/id","value":"count"}""", "The id 'count' is used 2 times" },
        { """{"path":"command-line","value":"wc -l > [COUNT] [LABEL]"}""", "'verbose' has the value-key '[VERBOSE]', which the command line does not contain" },
        { """{"path":"command-line","value":"wc -l > [COUNT] [VERBOSE] [LABEL] [OTHER]"}""", "The command line uses '[OTHER]', which is the value-key of no input or output" },
        { """{"path":"output-files/0/path-template","value":"output/[NOPE].txt"}""", "path-template uses '[NOPE]', which is the value-key of no input" },
        { """{"path":"output-files/0/path-template","value":"results/count.txt"}""", "must lie inside output/" },
        { """{"path":"output-files/0/path-template","value":"output/../../etc/x"}""", "must lie inside output/" },
        { """{"path":"inputs/0/command-line-flag","value":""}""", "is a Flag, so it needs a command-line-flag" },
        { """{"path":"inputs/1/minimum","value":3}""", "has numeric constraints but is of type String" },
        { """{"path":"custom","value":{"tessera:timeout":0}}""", "custom.tessera:timeout must be a whole number from 1" },
        { """{"path":"tool-version","value":"1 beta"}""", "The tool-version '1 beta' cannot be part of its id" },
        { """{"path":"tool-version","value":"1\n"}""", "The tool-version '1\n' cannot be part of its id" },
        { """{"path":"command-line","value":"wc -l > [COUNT] [VERBOSE] # [LABEL]"}""", "'label' (value-key [LABEL]) in a comment" },
        { """{"path":"command-line","value":"wc -l > [COUNT] [VERBOSE] [LABEL] $[COUNT]"}""", "'count' (value-key [COUNT]) right after '$'" },
        { """{"path":"command-line","value":"wc -l > [COUNT] [VERBOSE] `echo [LABEL]`"}""", "'label' (value-key [LABEL]) inside `...`" },
        { """{"path":"inputs/1/command-line-flag","value":"--label;"}""", "The input 'label' command-line-flag '--label;' holds shell syntax" },
        { """{"path":"inputs/1/command-line-flag-separator","value":"$"}""", "The input 'label' command-line-flag-separator '$' holds shell syntax" },
        { """{"path":"inputs/1/command-line-flag","value":"--l\u0000"}""", "The input 'label' command-line-flag holds a NUL character" },
        { """{"path":"environment-variables","value":[{"name":"A,B","value":"x"}]}""", "The environment variable name 'A,B' is not a name a shell can set" },
        { """{"path":"environment-variables","value":[{"name":"OK","value":"x\u0000"}]}""", "The environment variable 'OK' holds a NUL character" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public async Task Read_SemanticProblem_Named(string change, string expected)
    {
        var descriptor = Descriptors.Counter();
        var edit = JsonNode.Parse(change)!;
        Set(descriptor, edit["path"]!.GetValue<string>(), edit["value"]!.DeepClone());

        var error = await Should.ThrowAsync<TesseraException>(() => DescriptorReader.ReadAsync(descriptor.Text()));

        error.Kind.ShouldBe(ErrorKind.Invalid);
        error.Details.ShouldContain(d => d.Contains(expected, StringComparison.Ordinal), string.Join(" | ", error.Details));
    }

    private static void Set(JsonNode root, string path, JsonNode value)
    {
        var parts = path.Split('/');
        var node = root;
        foreach (var part in parts[..^1])
            node = int.TryParse(part, out var i) ? node[i]! : node[part]!;
        if (int.TryParse(parts[^1], out var index))
            node[index] = value;
        else
            node[parts[^1]] = value;
    }
}
