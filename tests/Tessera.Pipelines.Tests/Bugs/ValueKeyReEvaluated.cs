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
/// The second report's bypasses (shells behind wrappers not listed, <c>source --</c>, <c>test -v</c>, <c>$[…]</c>,
/// subscripts, namerefs, <c>PS4=</c>/<c>BASH_ENV=</c>, <c>sh &lt; [A]</c>) are among the refused cases.
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
    // The second report: wrappers not listed before a shell (every word naming a shell now starts one), and commands that hand their arguments to a shell.
    [InlineData("flock /tmp/l sh -c [A]", "the commands of sh")]
    [InlineData("taskset 1 sh -c [A]", "the commands of sh")]
    [InlineData("/usr/bin/time sh -c [A]", "the commands of sh")]
    [InlineData("setpriv sh -c [A]", "the commands of sh")]
    [InlineData("prlimit --nofile=100 sh -c [A]", "the commands of sh")]
    [InlineData("unshare -r sh -c [A]", "the commands of sh")]
    [InlineData("sudo sh -c [A]", "the commands of sh")]
    [InlineData("sudo -u nobody /bin/bash -c [A]", "the commands of bash")]
    [InlineData("chroot /srv sh -c [A]", "the commands of sh")]
    [InlineData("find . -exec sh -c [A] \\;", "the commands of sh")]
    [InlineData("sh -c 'exec \"$@\"' _ sh -c [A]", "the commands of sh")]
    [InlineData("some-future-wrapper --opt x busybox ash -c [A]", "the commands of ash")]
    [InlineData("script -qc [A] /dev/null", "the command of script -c")]
    [InlineData("script -q --command=[A]", "the command of script -c")]
    [InlineData("flock /tmp/l -c [A]", "the command of flock -c")]
    [InlineData("su -c [A]", "argument of su")]
    [InlineData("runuser -u nobody -c [A]", "argument of runuser")]
    [InlineData("sudo -s [A]", "sudo -s or -i")]
    [InlineData("sg users [A]", "the command of sg")]
    [InlineData("watch -n 1 [A]", "the command of watch")]
    [InlineData("ssh host [A]", "argument of ssh")]
    [InlineData("flock /tmp/l env -S [A]", "env -S")]
    // source and . past their options.
    [InlineData("source -- [A]", "as the file of source")]
    [InlineData(". -- [A]", "as the file of .")]
    [InlineData("source -p /usr/lib [A]", "as the file of source")]
    // Where bash evaluates a subscript (or arithmetic).
    [InlineData("test -v [A]", "operand of test -v")]
    [InlineData("[ -v [A] ]", "operand of [ -v")]
    [InlineData("[ ! -R [A] ]", "operand of [ -R")]
    [InlineData("echo $[ [A] ]", "inside $[...]")]
    [InlineData("echo \"$[ 1 + [A] ]\"", "inside $[...]")]
    [InlineData("arr[[A]]=1", "inside an array subscript")]
    [InlineData("X=1 arr[x+[A]]=1 true", "inside an array subscript")]
    [InlineData("arr=(x [[A]]=1)", "inside an array subscript")]
    [InlineData("declare -n r=[A]; echo $r", "declare -n")]
    [InlineData("f() { local -n r=[A]; }; f", "local -n")]
    [InlineData("typeset -i n=[A]", "typeset -i")]
    [InlineData("declare -a arr=[A]", "declare -a")]
    [InlineData("declare -i n; n=[A]", "assignment to n")]
    [InlineData("arr=(); declare arr=[A]", "assignment to arr")]
    [InlineData("declare -i n; read n < [A]", "input of read")]
    [InlineData("printf -v PS4 %s [A]", "printf -v that assigns PS4")]
    [InlineData("alias x=[A]", "argument of alias")]
    [InlineData("compgen -W [A]", "argument of compgen")]
    [InlineData("enable -f [A] x", "argument of enable")]
    // Variables the shell runs, sources or takes programs from.
    [InlineData("PS4=[A] bash -x -c :", "assignment to PS4")]
    [InlineData("BASH_ENV=[A] bash -c :", "assignment to BASH_ENV")]
    [InlineData("ENV=[A] sh -i", "assignment to ENV")]
    [InlineData("PROMPT_COMMAND=[A]", "assignment to PROMPT_COMMAND")]
    [InlineData("export PS1=[A]", "assignment to PS1")]
    [InlineData("env SHELLOPTS=[A] bash -c :", "assignment to SHELLOPTS")]
    [InlineData("PATH=[A]:$PATH; ls", "assignment to PATH")]
    [InlineData("LD_PRELOAD=[A] ls", "assignment to LD_PRELOAD")]
    [InlineData("env LD_LIBRARY_PATH=[A] ls", "assignment to LD_LIBRARY_PATH")]
    [InlineData("env 'BASH_FUNC_f%%=[A]' bash -c f", "assignment to BASH_FUNC_f%%")]
    // A shell that reads its commands from a value-named file.
    [InlineData("sh < [A]", "input of sh")]
    [InlineData("bash 0<[A]", "input of bash")]
    [InlineData("nice bash -s <[A]", "input of bash")]
    [InlineData("sh <<< [A]", "input of sh")]
    [InlineData("< [A] sh", "input of sh")]
    [InlineData("x=$(< [A] /bin/dash -e)", "input of dash")]
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
    // Beside the contexts refused since: a shell's arguments after $0, data variables, plain assignments and arrays, test's other operands.
    [InlineData("bash -c 'printf \"<%s>\\n\" \"$1\" \"$2\"' bash [A] [B]")]
    [InlineData("declare X=[A]; IFS=[B]; printf '<%s>\\n' \"$X\"")]
    [InlineData("arr=([A] [B]); arr[i+1]=[B]; printf '<%s>\\n' \"${arr[@]}\"")]
    [InlineData("[ -n [A] ] && test -f [B] || /usr/bin/env printf '<%s>\\n' [A]")]
    [InlineData("nice -n 1 printf '<%s>\\n' [A] | sh -c 'cat' [B]")]
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

    [Theory]
    [InlineData("echo [A]")]
    [InlineData("cp [A] out")]
    [InlineData("export X=[A]")]
    [InlineData("bash -c 'echo \"$1\"' _ [A]")]
    [InlineData("bash script.sh [A]")]
    [InlineData("sh -c 'cat' < [A]")]
    [InlineData("bash script.sh < [A]")]
    [InlineData("cat < [A] > out")]
    [InlineData("source script.sh [A]")]
    [InlineData("test -f [A]")]
    [InlineData("[ -v X ] && echo [A]")]
    [InlineData("arr=([A]); arr[i]=[A]; arr+=([A]); declare x=[A]")]
    [InlineData("IFS=[A]; echo $X")]
    [InlineData("time printf %s [A]")]
    [InlineData("sudo -u [A] printf %s x")]
    [InlineData("script -q [A]")]
    [InlineData("flock [A] printf %s x")]
    [InlineData("watch -x printf %s [A]")]
    [InlineData("env X=[A] printf %s x")]
    public async Task Register_ValueKeyWhereItStaysData_Accepted(string commandLine)
    {
        var definition = await DescriptorReader.ReadAsync(Tool(commandLine + "; echo [B]").ToJsonString());

        definition.ShouldNotBeNull();
    }
}
