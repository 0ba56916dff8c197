using System.Text.Json;
using System.Text.Json.Nodes;
using Shouldly;
using Tessera.Archive;
using Tessera.Pipelines.Tools.Boutiques;

namespace Tessera.Pipelines.Tests.Bugs;

/// <summary>
/// The security finding "command injection through templates the checker accepts": a value-key inside
/// bash's <c>$'...'</c> (where <c>\'</c> does not end the quote, so the quoted value closed it and ran), and
/// value-keys in arguments that a command parses again as shell code (<c>bash -c 'echo [A]'</c>,
/// <c>eval "echo [A]"</c>): quoted once for the template's shell, then read again by the inner one. Such
/// templates are now refused when the tool is registered; the quoting that holds still runs nothing.
/// </summary>
public sealed class ValueKeyReEvaluated
{
    private static JsonObject Tool(string commandLine, string shell = "/bin/bash") => new()
    {
        ["name"] = "reeval", ["tool-version"] = "1", ["description"] = "d", ["schema-version"] = "0.5",
        ["command-line"] = commandLine,
        ["shell"] = shell,
        ["inputs"] = new JsonArray(
            new JsonObject { ["id"] = "a", ["name"] = "A", ["type"] = "String", ["value-key"] = "[A]", ["optional"] = true },
            new JsonObject { ["id"] = "b", ["name"] = "B", ["type"] = "String", ["value-key"] = "[B]", ["optional"] = true }),
    };

    private static string Uses(string line) => line.Contains("[B]", StringComparison.Ordinal) ? line : line + " [B]";

    [Theory]
    // What the tester ran: $'...' and re-evaluation.
    [InlineData("echo $'x\\'[A]' [B]", "inside $'...'")]
    [InlineData("bash -c 'echo [A]'", "the commands of bash")]
    [InlineData("eval \"echo [A]\" [B]", "argument of eval")]
    // Their siblings: other shells, options between, prefixes, paths, and other commands that parse arguments as code.
    [InlineData("echo $\"[A]\"", "inside $\"...\"")]
    [InlineData("sh -c \"echo [A]\"", "the commands of sh")]
    [InlineData("/bin/dash -e -c [A]", "the commands of dash")]
    [InlineData("bash -o pipefail -xc 'echo [A]'", "the commands of bash")]
    [InlineData("bash --norc -c -- [A]", "the commands of bash")]
    [InlineData("env FOO=1 /usr/bin/sh -c [A]", "the commands of sh")]
    [InlineData("X=[B] env Y=[B] sh -c [A]", "the commands of sh")]
    [InlineData("exec -a x zsh -c [A]", "the commands of zsh")]
    [InlineData("command ksh -c [A]", "the commands of ksh")]
    [InlineData("nice -n 5 timeout -s KILL 10 bash -c [A]", "the commands of bash")]
    [InlineData("printf '%s\\n' x | xargs -n 1 sh -c [A]", "the commands of sh")]
    [InlineData("busybox sh -c [A]", "the commands of sh")]
    [InlineData("x=$(bash -c \"[A]\")", "the commands of bash")]
    [InlineData("sh [A]", "the options or the commands of sh")]
    [InlineData("bash -o [A] -c true", "the options or the commands of bash")]
    [InlineData("$SHELL -c [A]", "-c string of a command whose name is an expansion")]
    [InlineData("builtin eval [A]", "argument of eval")]
    [InlineData("source [A]", "as the file of source")]
    [InlineData(". [A]", "as the file of .")]
    [InlineData("trap [A] EXIT", "action of trap")]
    [InlineData("env -S [A]", "env -S")]
    [InlineData("let [A]", "argument of let")]
    [InlineData("[[ [A] -eq 1 ]]", "inside [[ ... ]]")]
    [InlineData("echo $(( [A] + 1 ))", "inside arithmetic")]
    [InlineData("(( [A] ))", "inside arithmetic")]
    [InlineData("read -r [A] <<< x", "argument of read")]
    [InlineData("unset [A]", "argument of unset")]
    [InlineData("printf -v [A] %s x", "printf -v")]
    [InlineData("declare [A]=1", "variable name of declare")]
    public async Task Register_ValueKeyParsedAgainAsCode_Refused(string commandLine, string where)
    {
        var error = await Should.ThrowAsync<TesseraException>(() => DescriptorReader.ReadAsync(Tool(Uses(commandLine)).ToJsonString()));

        error.Kind.ShouldBe(ErrorKind.Invalid);
        error.Details.ShouldContain(d => d.Contains("'a' (value-key [A])", StringComparison.Ordinal) && d.Contains(where, StringComparison.Ordinal), string.Join(" | ", error.Details));
    }

    [Theory]
    [InlineData("bash -c 'printf \"<%s>\\n\" \"$1\"' _ [A] [B]")]
    [InlineData("sh -c 'printf \"<%s>\\n\" \"$@\"' sh [A] [B]")]
    [InlineData("env X=[A] Y=[B] sh -c 'printf \"<%s>\\n\" \"$X\" \"$Y\"'")]
    [InlineData("export X=[A]; printf '<%s>\\n' \"$X\" [B]")]
    [InlineData("timeout 10 printf '<%s>\\n' [A] [B]")]
    [InlineData("printf '<%s>\\n' [A] | cat; printf '<%s>\\n' [B]")]
    [InlineData("[ [A] = x ] || printf '<%s>\\n' [A] [B]")]
    [InlineData("echo x > /dev/null; printf '<%s>\\n' [A] 2>&1 [B]")]
    [InlineData("printf '<%s>\\n' [A] # eval\nprintf '<%s>\\n' [B]")]
    [InlineData("printf '<%s>\\n' \"$(printf %s [A])\" '$'[B]")]
    public async Task Run_ValueKeyWhereQuotingHolds_PrintsValuesRunsNothing(string commandLine)
    {
        var definition = await Descriptors.ReadAsync(Tool(commandLine));
        var hostile = $"; touch {ScratchDirectory.Marker}; $(touch {ScratchDirectory.Marker}) \\' '\" `touch {ScratchDirectory.Marker}`";
        var invocation = Invocation.Resolve(definition.Descriptor, JsonSerializer.SerializeToElement(new { a = hostile, b = "a[$(touch " + ScratchDirectory.Marker + ")]" }));
        using var scratch = new ScratchDirectory();

        var run = await ShellRun.RunAsync(invocation.CommandLine, scratch.Path, "/bin/bash");

        run.Output.ShouldContain($"<{hostile}>", customMessage: invocation.CommandLine + "\n" + run.Error);
        scratch.MarkerExists.ShouldBeFalse(invocation.CommandLine);
    }
}
