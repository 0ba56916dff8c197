using System.Text.Json;
using CsCheck;
using Shouldly;
using Tessera.Pipelines.Tools.Boutiques;

namespace Tessera.Pipelines.Tests;

public sealed class ShellCommandLineTests
{
    private const string Hostile = "a'b\"c $(touch " + ScratchDirectory.Marker + ") `touch " + ScratchDirectory.Marker + "`; touch " + ScratchDirectory.Marker + " \\\n\\'";

    private static string Write(params string[] syntaxThenValues)
    {
        var line = new ShellCommandLine();
        for (var i = 0; i < syntaxThenValues.Length; i++)
        {
            if (i % 2 == 0)
                line.Syntax(syntaxThenValues[i]);
            else
                line.Value(syntaxThenValues[i]);
        }
        return line.ToString();
    }

    [Theory]
    [InlineData("printf '<%s>\\n' ", "", "V")]
    [InlineData("printf '<%s>\\n' 'x", "y'", "xVy")]
    [InlineData("printf '<%s>\\n' \"x", "y\"", "xVy")]
    [InlineData("printf '<%s>\\n' \"$(printf %s ", ")\"", "V")]
    [InlineData("printf '<%s>\\n' $(printf %s ", " >value.txt)v", "v")]
    [InlineData("printf '<%s>\\n' x=", "", "x=V")]
    [InlineData("printf '<%s>\\n' '$", "'", "$V")]
    [InlineData("printf '<%s>\\n' \"$", "\"", "$V")]
    [InlineData("printf '<%s>\\n' \"it's ", "\"", "it's V")]
    [InlineData("printf '<%s>\\n' 'say \"", "\"'", "say \"V\"")]
    public async Task Value_InTemplatesQuotesOrSubstitution_ReadsBackAsItself(string before, string after, string expected)
    {
        var line = Write(before, Hostile, after);
        foreach (var shell in ShellRun.Shells)
        {
            using var scratch = new ScratchDirectory();

            var run = await ShellRun.RunAsync(line, scratch.Path, shell);

            run.Error.ShouldBeEmpty($"{shell}: {line}");
            run.Output.ShouldBe(ShellRun.Printed([expected.Replace("V", Hostile, StringComparison.Ordinal)]), $"{shell}: {line}");
            if (after.Contains("value.txt", StringComparison.Ordinal))
                File.ReadAllText(Path.Combine(scratch.Path, "value.txt")).ShouldBe(Hostile);
            scratch.MarkerExists.ShouldBeFalse($"{shell}: {line}");
        }
    }

    [Fact]
    public async Task Value_AfterSeparatorThatOpensQuote_QuotedForIt()
    {
        using var scratch = new ScratchDirectory();
        // A list separator from Boutiques' own tests, which opens a quote between the items.
        var line = Write("printf '<%s>\\n' ", "one", "', !", Hostile, "'", "", "");

        var run = await ShellRun.RunAsync(line, scratch.Path);

        run.Output.ShouldBe(ShellRun.Printed(["one, !" + Hostile]), line);
        scratch.MarkerExists.ShouldBeFalse();
    }

    // Shell syntax a template may hold, with what parses its arguments again: $'...', $"...", arithmetic, eval, sh -c, source.
    // Not a pipe: a shell reading commands from its standard input ("| sh", "| xargs sh -c") runs what the
    // commands before print, values among it; that is the tool author's to avoid (docs/tools.md), as python -c is.
    private static readonly string[] s_syntax =
    [
        " ", "x", "'", "\"", "$(", "$(printf %s ", ")", "(", "`", "${X:-", "}", "#", "\n", "\\", "$", "case a in a) ", ";; esac ",
        "<<E\n", "E\n", "; ", "&& ", "|| ", "=", "{ ", "~", "*", "-", "\t",
        "$'", "$\"", "$((", "((", "))", "eval ", "sh -c ", "bash -ec ", "env X=1 dash -c ", "timeout 9 sh -c ", ". ", "source ",
        "trap ", "let ", "[[ ", " -eq 1 ]]", "-c ", "bash ", "declare ", "printf -v ",
        // Wrappers not listed anywhere, source past --, subscripts and old arithmetic, variables the shell runs, a shell's input.
        "flock lock sh -c ", "taskset 1 sh -c ", "prlimit --nofile=100 bash -c ", "setpriv sh -c ", "sh -c 'exec \"$@\"' _ sh -c ",
        "source -- ", ". -- ", "test -v ", "[ -v ", " ]", "$[", "]", "a[", "]=1 ", "a=(x [", "declare -n r=", "declare -i n=", "n=", "$r ",
        "PS4=", " bash -xc : ", "BASH_ENV=", " bash -c : ", "ENV=", " sh -i ", "PATH=", "sh < ", "bash <<< ", "< ", " sh ",
    ];

    private static readonly string[] s_values =
    [
        Hostile, $"'; touch {ScratchDirectory.Marker}; '", $"\"; touch {ScratchDirectory.Marker}; \"", $"`touch {ScratchDirectory.Marker}`",
        $"$(touch {ScratchDirectory.Marker})", $"\n touch {ScratchDirectory.Marker} \n", $") ; touch {ScratchDirectory.Marker} ; (",
        // In bash's $'...' a backslash escapes the quote that would end '...'.
        $"\\'; touch {ScratchDirectory.Marker}; '", "\\", "'", "\"", "",
        $"a[$(touch {ScratchDirectory.Marker})]", $"touch {ScratchDirectory.Marker}", "-c",
    ];

    [Fact]
    public async Task Value_RandomTemplates_WhereTakenRunsNothing()
    {
        // null stands for a value.
        var pieces = Gen.Frequency((3, Gen.OneOf(s_syntax)), (1, Gen.Const((string?)null)));
        var templates = Gen.Select(pieces.Array[1, 16], Gen.OneOf(s_values).Array[16]);
        await templates.SampleAsync(async t =>
        {
            var (parts, values) = t;
            var line = new ShellCommandLine();
            line.Syntax("printf '<%s>\\n' ");
            for (var i = 0; i < parts.Length; i++)
            {
                if (parts[i] is { } syntax)
                    line.Syntax(syntax);
                else if (line.Unquotable is null)
                    line.Value(values[i], "v");
            }
            // Refused once what follows is read (< VALUE sh): not run, as a descriptor with it is not registered.
            if (line.Finish().Count > 0)
                return;
            foreach (var shell in ShellRun.Shells)
            {
                using var scratch = new ScratchDirectory();
                await ShellRun.RunAsync(line.ToString(), scratch.Path, shell);
                scratch.MarkerExists.ShouldBeFalse($"{shell}: {line}");
            }
        }, iter: 600, print: t => string.Join(" + ", t.Item1.Select(p => p is null ? "VALUE" : JsonSerializer.Serialize(p))));
    }

    [Theory]
    [InlineData("echo hi # ", "in a comment")]
    [InlineData("cat <<EOF\n", "in a here-document")]
    [InlineData("echo \\", "right after a backslash")]
    [InlineData("echo \"\\", "right after a backslash")]
    [InlineData("echo $", "right after '$'")]
    [InlineData("echo `echo ", "inside `...`")]
    [InlineData("echo \"`echo ", "inside `...`")]
    [InlineData("echo ${X:-", "inside ${...}")]
    [InlineData("echo \"$(case a in a) echo ", "after a case statement")]
    public void Value_WhereNoQuotingHolds_Refused(string before, string where)
    {
        var line = new ShellCommandLine();
        line.Syntax(before);

        line.Unquotable.ShouldNotBeNull().ShouldContain(where);
        Should.Throw<InvalidOperationException>(() => line.Value("x"));
    }

    [Theory]
    [InlineData("echo a#b ")]
    [InlineData("echo '# not a comment' ")]
    [InlineData("echo hi # comment\necho ")]
    [InlineData("cat <<< here ")]
    [InlineData("echo $(echo \"$(echo x)\") ")]
    [InlineData("echo \"$(echo ")]
    [InlineData("echo \\$ ")]
    [InlineData("echo `echo '` ")]
    public void Value_WhereQuotingHolds_Taken(string before)
    {
        var line = new ShellCommandLine();
        line.Syntax(before);

        line.Unquotable.ShouldBeNull();
    }
}
