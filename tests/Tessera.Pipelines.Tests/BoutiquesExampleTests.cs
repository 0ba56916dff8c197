using System.Text.Json;
using System.Text.Json.Nodes;
using Shouldly;
using Tessera.Pipelines.Tools.Boutiques;

namespace Tessera.Pipelines.Tests;

/// <summary>Our descriptors after the Boutiques authors' patterns (<see cref="BoutiquesExamples"/>), resolved and run by a shell.</summary>
public sealed class BoutiquesExampleTests
{
    private const string Hostile = $"it's \"$(touch {ScratchDirectory.Marker})\" `touch {ScratchDirectory.Marker}`; touch {ScratchDirectory.Marker} [WORDS] [LOG] \\ 🙂\nnext";

    private static async Task<(Invocation Invocation, ShellRun Run)> RunAsync(ScratchDirectory scratch, string descriptor, object inputs)
    {
        var definition = await Descriptors.ReadAsync(JsonNode.Parse(descriptor)!.AsObject());
        var invocation = Invocation.Resolve(definition.Descriptor, JsonSerializer.SerializeToElement(inputs));
        Directory.CreateDirectory(Path.Combine(scratch.Path, "output"));
        var run = await ShellRun.RunAsync(invocation.CommandLine, scratch.Path, definition.Descriptor.Shell ?? "/bin/sh");
        run.ExitCode.ShouldBe(0, $"{invocation.CommandLine}\n{run.Error}");
        scratch.MarkerExists.ShouldBeFalse(invocation.CommandLine);
        return (invocation, run);
    }

    private static string Read(ScratchDirectory scratch, string path) => File.ReadAllText(Path.Combine(scratch.Path, path));

    [Theory]
    [InlineData("foo", "bar")]
    [InlineData(Hostile, "'")]
    public async Task Run_QuotedListWordsInTemplatesQuotes_OneLineOfThem(string first, string second)
    {
        using var scratch = new ScratchDirectory();
        var (invocation, _) = await RunAsync(scratch, BoutiquesExamples.QuotedList, new { words = new[] { first, second } });

        Read(scratch, invocation.Outputs.Single().Path).ShouldBe($"{first} {second}\n");
    }

    [Fact]
    public async Task Run_QuotedListValueOf100KB_WrittenWhole()
    {
        var value = string.Concat(Enumerable.Repeat(Hostile, 100_000 / Hostile.Length));
        using var scratch = new ScratchDirectory();

        var (invocation, _) = await RunAsync(scratch, BoutiquesExamples.QuotedList, new { words = new[] { value } });

        Read(scratch, invocation.Outputs.Single().Path).ShouldBe($"{value}\n");
    }

    [Theory]
    [InlineData("foo", "input/test_temp/FileValue.txt", "output/log-FileValue.txt")]
    [InlineData(Hostile, "input/x; touch pwned.csv", "output/log-x; touch pwned.txt")]
    public async Task Run_BashRedirectQuotedAndBareValues_LogNamedAfterFile(string word, string file, string log)
    {
        using var scratch = new ScratchDirectory();
        var (invocation, _) = await RunAsync(scratch, BoutiquesExamples.BashRedirect, new { words = new[] { word, "bar" }, file });

        invocation.Outputs.Single().Path.ShouldBe(log);
        Read(scratch, log).ShouldBe($"{word} bar|{file}|");
    }

    [Fact]
    public async Task Run_EveryTypeAuthorsInvocation_ArgumentsAsBoutiquesGivesThem()
    {
        // The invocation of example1's own test, its paths moved into the workspace.
        using var scratch = new ScratchDirectory();
        var (invocation, run) = await RunAsync(scratch, BoutiquesExamples.EveryType, new
        {
            str_list = new[] { "fo '; echo FAIL", "bar" },
            str = "coin;plop",
            file = "./input/pyproject.toml",
            file_list = new[] { "input/mount1", "input/mount2" },
            int_list = new[] { 1, 2, 3 },
            choice = "val1",
        });

        invocation.Outputs.Single().Path.ShouldBe("output/log-coin;plop.txt");
        run.Output.ShouldBe(ShellRun.Printed([
            "-i", "fo '; echo FAIL", "bar", "-s", "coin;plop", "-t", "input/mount1", "input/mount2",
            "-e", "val1", "./input/pyproject.toml", "output/log-coin;plop.txt", "-l", "1", "2", "3",
        ]));
    }

    [Fact]
    public async Task Run_EveryTypeHostileValues_PrintedAsGiven()
    {
        using var scratch = new ScratchDirectory();
        var (_, run) = await RunAsync(scratch, BoutiquesExamples.EveryType, new
        {
            str_list = new[] { Hostile, "[STRING]", "" },
            str = "[LOG]",
            file = "input/[FILE]",
            flag = true,
            int_list = new[] { -7 },
            choice = "val2",
        });

        run.Output.ShouldBe(ShellRun.Printed([
            "-i", Hostile, "[STRING]", "", "-s", "[LOG]", "-f", "-e", "val2", "input/[FILE]", "output/log-[LOG].txt", "-l", "-7",
        ]));
    }

    [Fact]
    public async Task Run_ListsWithOwnSeparators_OneWordEach()
    {
        using var scratch = new ScratchDirectory();
        var (_, run) = await RunAsync(scratch, BoutiquesExamples.ListSeparators, new
        {
            numbers = new[] { 1, 2.5, 3 },
            files = new[] { "input/foo.txt", "input/bar.m" },
            strings = new[] { "string1", Hostile, "string2" },
        });

        // The strings' separator holds its own quotes: the shell reads them, and the values stay values.
        run.Output.ShouldBe(ShellRun.Printed(["1:2.5:3", "input/foo.txt,input/bar.m", $"string1, {Hostile}, string2"]));
    }

    [Fact]
    public async Task Run_ValueKeysInsideAWord_OneWord()
    {
        using var scratch = new ScratchDirectory();
        var (_, run) = await RunAsync(scratch, BoutiquesExamples.NoSpaces, new { first = Hostile, second = new[] { "[FIRST]" } });

        run.Output.ShouldBe(ShellRun.Printed([$"before{Hostile}between[FIRST]after"]));
    }

    [Theory]
    [InlineData("""{"a": true, "b": true}""", "-a -b")]
    [InlineData("{}", "")]
    [InlineData("""{"b": true}""", "-b")]
    [InlineData("""{"a": true, "b": false}""", "-a")]
    public async Task Run_FlagsAuthorsFourInvocations_FlagsGiven(string inputs, string flags)
    {
        using var scratch = new ScratchDirectory();
        var (_, run) = await RunAsync(scratch, BoutiquesExamples.Flags, JsonDocument.Parse(inputs).RootElement.Clone());

        run.Output.ShouldBe(ShellRun.Printed(["flags:", .. flags.Split(' ', StringSplitOptions.RemoveEmptyEntries)]));
    }

    [Theory]
    [InlineData("test_baremetal_exec.txt")]
    [InlineData("x; touch pwned $(touch pwned) `touch pwned` 'q' \"dq\"")]
    public async Task Run_FileNamedByInputInDoubleQuotes_FileOfThatName(string name)
    {
        using var scratch = new ScratchDirectory();
        var (invocation, run) = await RunAsync(scratch, BoutiquesExamples.FileNamedByInput, new { name });

        invocation.Outputs.Single().Path.ShouldBe($"output/{name}");
        Read(scratch, $"output/{name}").ShouldBe("written by the tool\n");
        run.Output.ShouldBe("written by the tool\n");
    }

    [Fact]
    public async Task Run_BrainExtractionCompleteInvocation_NumbersAndFlags()
    {
        // fsl_bet's example_complete_invocation, for the inputs this descriptor keeps.
        using var scratch = new ScratchDirectory();
        var (invocation, run) = await RunAsync(scratch, BoutiquesExamples.BrainExtraction, new
        {
            approx_skull_flag = true,
            binary_mask_flag = true,
            center_of_gravity = new[] { -6.146, -46.492, -10.684 },
            fractional_intensity = 0.991,
            head_radius = -2.001,
            infile = "input/f_infile_98.csv",
            maskfile = "str_maskfile_rH",
            verbose_flag = true,
        });

        invocation.Outputs.Select(o => o.Path).ShouldBe(["output/str_maskfile_rH.nii.gz", "output/str_maskfile_rH_mask.nii.gz"]);
        run.Output.ShouldBe(ShellRun.Printed([
            "input/f_infile_98.csv", "str_maskfile_rH", "-f", "0.991", "-c", "-6.146", "-46.492", "-10.684", "-m", "-s", "-r", "-2.001", "-v",
        ]));
    }
}
