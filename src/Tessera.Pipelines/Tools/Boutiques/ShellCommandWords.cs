using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace Tessera.Pipelines.Tools.Boutiques;

/// <summary>
/// The words of the simple command that a template's text is in, as far as it has been read, so that
/// <see cref="ShellCommandLine"/> can tell where a quoted value would still be read again as shell code.
/// Quoting there holds once, then the value is parsed again. The rules (docs/tools.md lists them):
/// <list type="bullet">
/// <item>Any word of the command that names a shell (sh, bash, dash, zsh, ksh, busybox sh…, by path too),
/// whatever comes before it (env, sudo, flock, taskset, time, unshare… or commands not known here): its
/// options, its <c>-c</c> string and its script are code; so is its standard input (<c>sh &lt; [A]</c>)
/// when it has neither. A command whose name is an expansion may be a shell once it is given <c>-c</c>.</item>
/// <item>Commands that hand their arguments to a shell: <c>su</c>, <c>runuser</c>, <c>ssh</c>, <c>sg</c>,
/// <c>watch</c> (without -x), <c>sudo -s</c>/<c>-i</c>, <c>script -c</c>, <c>flock -c</c>, <c>env -S</c>.</item>
/// <item>Builtins that read arguments as code: <c>eval</c>, <c>let</c>, <c>trap</c>'s action, the file of
/// <c>source</c>/<c>.</c> (past its options and <c>--</c>), <c>alias</c>, <c>bind</c>, <c>complete</c>,
/// <c>compgen</c>, <c>enable</c>, <c>hash</c>, <c>fc</c>, and anything inside <c>[[ … ]]</c>.</item>
/// <item>Where bash evaluates a subscript (arithmetic, which runs <c>$(...)</c>): variable names given to
/// <c>read</c>, <c>unset</c>, <c>printf -v</c>, <c>declare</c>…, <c>test -v</c>, a subscript on the left of an
/// assignment (<c>a[[A]]=1</c>, <c>a=([[A]]=1)</c>), the values of <c>declare -i/-a/-A/-n</c>, and
/// assignments to names the template declares integer, array or reference.</item>
/// <item>Assignments to variables that the shell runs or that choose what runs: PS0–PS4, PROMPT_COMMAND,
/// BASH_ENV, ENV, SHELLOPTS, BASHOPTS, PATH, SHELL, FPATH, ZDOTDIR, BASH_LOADABLES_PATH, LD_PRELOAD,
/// LD_LIBRARY_PATH, LD_AUDIT and exported functions (BASH_FUNC_…), in any word of the command.</item>
/// </list>
/// Some of these refuse words that are harmless where they stand (<c>echo sh [A]</c>): a shell name
/// anywhere is taken to start a shell, so that wrappers not listed here are covered.
/// </summary>
internal sealed partial class ShellCommandWords
{
    private static readonly HashSet<string> s_shells = new(StringComparer.Ordinal)
    {
        "sh", "bash", "dash", "zsh", "ksh", "ksh93", "mksh", "pdksh", "oksh", "loksh", "ash", "yash", "posh", "rbash", "hush", "bosh",
        "fish", "tcsh", "csh", "pwsh", "nu", "elvish", "xonsh",
    };

    // Words that start a command without being its name.
    private static readonly HashSet<string> s_keywords = new(StringComparer.Ordinal)
    {
        "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "time", "coproc",
    };

    // Bash reads these arguments as variable names, and evaluates an array subscript in them as arithmetic (code, with $(...)).
    private static readonly HashSet<string> s_nameTakers = new(StringComparer.Ordinal) { "read", "unset", "mapfile", "readarray", "getopts", "wait" };

    private static readonly HashSet<string> s_declarers = new(StringComparer.Ordinal) { "declare", "typeset", "local", "export", "readonly" };

    // Builtins any of whose arguments may be run as code.
    private static readonly Dictionary<string, string> s_codeArguments = new(StringComparer.Ordinal)
    {
        ["eval"] = "in an argument of eval, which the shell reads again as commands",
        ["let"] = "in an argument of let, which bash evaluates as arithmetic (and code)",
        ["alias"] = "in an argument of alias, whose text the shell reads as commands where the alias is used",
        ["bind"] = "in an argument of bind, which binds keys to shell commands (-x)",
        ["complete"] = "in an argument of complete, which runs commands (-C, -F) and expands its word list (-W)",
        ["compgen"] = "in an argument of compgen, which runs commands (-C, -F) and expands its word list (-W)",
        ["enable"] = "in an argument of enable, which loads builtins from a shared object (-f)",
        ["hash"] = "in an argument of hash, which sets the file a command name runs (-p)",
        ["fc"] = "in an argument of fc, which runs commands from the history",
    };

    // Variables the shell runs (prompts, PROMPT_COMMAND, with PS4 expanded by set -x), sources (BASH_ENV, ENV), reads as
    // options, or that choose what program, function or library a later command runs. IFS and the like are data.
    private static readonly HashSet<string> s_evaluatedVariables = new(StringComparer.Ordinal)
    {
        "PS0", "PS1", "PS2", "PS3", "PS4", "PROMPT_COMMAND", "BASH_ENV", "ENV", "SHELLOPTS", "BASHOPTS", "PATH", "SHELL",
        "FPATH", "ZDOTDIR", "BASH_LOADABLES_PATH", "LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT",
    };

    private static readonly SearchValues<char> s_nameCharacters = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");

    /// <summary>What the commands of one command line share: names it makes evaluated, and refusals found after their value was written.</summary>
    internal sealed class Shared
    {
        /// <summary>Variables the template declares integer or reference (declare -i, -n): assigning them evaluates.</summary>
        public HashSet<string> EvaluatedNames { get; } = new(StringComparer.Ordinal);

        /// <summary>Variables the template makes arrays (a=(...), declare -a, -A): declare a=... parses a value as (...).</summary>
        public HashSet<string> ArrayNames { get; } = new(StringComparer.Ordinal);

        /// <summary>Values refused once their command was read to its end (named as <see cref="ShellCommandLine.Value"/> was told).</summary>
        public List<(string Name, string Where)> Late { get; } = [];
    }

    private readonly Shared _shared;
    private readonly List<string?> _words = [];
    // Each word's text up to its first expansion: "X=" of X=$Y tells an assignment.
    private readonly List<string> _prefixes = [];
    private readonly StringBuilder _current = new();
    // Values written as the file of an input redirection in this command, by name.
    private readonly List<string> _stdinValues = [];
    private string? _dynamicPrefix;
    private bool _inWord;
    private bool _dynamic;
    private bool _redirectTarget;
    private bool _redirectInput;
    private bool _skipWord;
    // Inside a compound assignment, NAME=( ... ): a word starting with '[' is a subscript.
    private bool _compound;

    public ShellCommandWords(Shared shared) => _shared = shared;

    /// <summary>A character of the current word, as the shell will see it after quote removal.</summary>
    public void Literal(char c)
    {
        _inWord = true;
        _current.Append(c);
    }

    /// <summary>The current word holds an expansion or a value: its text is not known now.</summary>
    public void Dynamic()
    {
        _inWord = true;
        if (!_dynamic)
            _dynamicPrefix = _current.ToString();
        _dynamic = true;
    }

    /// <summary>The current word goes on (an empty pair of quotes is a word).</summary>
    public void Quote() => _inWord = true;

    /// <summary>A value is written in the current word; <paramref name="name"/> names it in a refusal found later.</summary>
    public void Value(string? name)
    {
        if (_skipWord && _redirectTarget && _redirectInput)
            _stdinValues.Add(name ?? "a value");
        Dynamic();
    }

    /// <summary>A blank: the current word ends.</summary>
    public void EndWord()
    {
        if (!_inWord)
            return;
        var word = _dynamic ? null : _current.ToString();
        var prefix = _dynamic ? _dynamicPrefix! : word!;
        _current.Clear();
        _inWord = false;
        _dynamic = false;
        if (_skipWord)
        {
            _skipWord = false;
            return;
        }
        if (_words.Count == 0 && word is not null && s_keywords.Contains(word))
            return;
        _words.Add(word);
        _prefixes.Add(prefix);
        TrackDeclared(prefix);
    }

    /// <summary>A redirection (&lt; or &gt;): its target is not an argument, and neither is a descriptor number before it.</summary>
    public void Redirect(char kind)
    {
        // "<>" opens the file for reading too.
        var input = kind == '<' || _skipWord && _redirectTarget && _redirectInput && !_inWord;
        if (_inWord && !_dynamic && _current.Length > 0 && _current.ToString().All(char.IsAsciiDigit))
        {
            _current.Clear();
            _inWord = false;
        }
        EndWord();
        _skipWord = true;
        _redirectTarget = true;
        _redirectInput = input;
    }

    /// <summary>An operator (; &amp; | or a line break): a new command starts.</summary>
    public void EndCommand()
    {
        EndWord();
        if (_stdinValues.Count > 0 && Stdin() is { } where)
            _shared.Late.AddRange(_stdinValues.Select(name => (name, where)));
        _stdinValues.Clear();
        _words.Clear();
        _prefixes.Clear();
        _skipWord = false;
        _redirectTarget = false;
        _redirectInput = false;
    }

    /// <summary>'(' outside quotes: after NAME= it opens a compound assignment (NAME becomes an array), else a new command starts.</summary>
    public void OpenParenthesis()
    {
        var name = _inWord && !_dynamic && CompoundStart().Match(_current.ToString()) is { Success: true } m ? m.Groups[1].Value : null;
        if (name is not null)
        {
            _current.Clear();
            _inWord = false;
        }
        EndCommand();
        if (name is not null)
        {
            _shared.ArrayNames.Add(name);
            _compound = true;
        }
    }

    /// <summary>')' outside quotes: a compound assignment or a subshell ends.</summary>
    public void CloseParenthesis()
    {
        EndCommand();
        _compound = false;
    }

    /// <summary>Why a value written now, in the current word, would be parsed again as shell code; null when it would not.</summary>
    public string? ReEvaluated()
    {
        if (_skipWord && _redirectTarget)
            return _redirectInput ? Stdin() : null; // a redirection's file name: code only to a shell reading it
        var at = _words.Count;
        var prefix = !_inWord ? "" : _dynamic ? _dynamicPrefix! : _current.ToString();
        if (Assigned(prefix, DeclaresHere()) is { } variable)
        {
            return s_evaluatedVariables.Contains(variable) || variable.StartsWith("BASH_FUNC_", StringComparison.Ordinal)
                ? $"in an assignment to {variable}, which the shell runs, sources or takes programs, functions or libraries from"
                : $"in an assignment to {variable}, which the template declares integer, array or reference (bash evaluates what declare or it is given)";
        }
        var start = 0;
        while (start < at && IsAssignment(_prefixes[start]))
            start++;
        if ((at == start || _compound) && OpenSubscript().IsMatch(prefix))
            return "inside an array subscript on the left of an assignment, which bash evaluates as arithmetic (and code)";
        var name = Resolve(out var index, out var envSplit);
        if (envSplit)
            return "in the string of env -S, which env splits into a command";
        if (name is not null && index < at && Builtin(Path.GetFileName(name), index, at) is { } builtin)
            return builtin;
        return Launched(start, at, prefix, out _);
    }

    /// <summary>Why a value is code as the argument of the command named <paramref name="command"/> at word <paramref name="index"/>.</summary>
    private string? Builtin(string command, int index, int at)
    {
        if (command == "[[")
            return "inside [[ ... ]], whose arithmetic operands bash evaluates as code";
        if (s_codeArguments.TryGetValue(command, out var reason))
            return reason;
        switch (command)
        {
            case "source" or "." when at <= SourcedFile(index):
                return $"as the file of {command}, whose content the shell runs";
            case "trap" when at == index + 1 || at == index + 2 && _words[index + 1] is "--":
                return "as the action of trap, which the shell reads again as commands";
            case "printf" when at > index + 1 && _words[at - 1] == "-v":
                return "as the variable name of printf -v, whose subscript bash evaluates as code";
            case "test" or "[" when at > index + 1 && _words[at - 1] is "-v" or "-R":
                return $"as the operand of {command} {_words[at - 1]}, a variable name whose subscript bash evaluates as code";
        }
        if (s_nameTakers.Contains(command))
            return $"in an argument of {command}, which bash takes for a variable name and evaluates its subscript as code";
        if (command == "printf" && AssignsEvaluated(index) is { } variable)
            return $"in a printf -v that assigns {variable}, which the shell runs or evaluates";
        if (s_declarers.Contains(command))
        {
            if (!_current.ToString().Contains('=', StringComparison.Ordinal))
                return $"in a variable name of {command}, whose subscript bash evaluates as code";
            if (command != "export" && EvaluatingOption(index, at) is { } option)
                return $"in a value of {command} {option}, which bash evaluates (as arithmetic, a compound assignment or a variable reference)";
        }
        return null;
    }

    /// <summary>The word that source (or .) at <paramref name="index"/> reads its file from: past its options (-p PATH) and --.</summary>
    private int SourcedFile(int index)
    {
        var k = index + 1;
        while (k < _words.Count && _words[k] is { Length: > 1 } option && option[0] == '-')
        {
            if (option == "--")
                return k + 1;
            k += option == "-p" ? 2 : 1;
        }
        return k;
    }

    /// <summary>The first option of the declarer at <paramref name="index"/> that makes its values evaluated: -i, -a, -A, -n.</summary>
    private string? EvaluatingOption(int index, int at)
    {
        for (var k = index + 1; k < at; k++)
        {
            if (_words[k] is { Length: > 1 } option && option[0] == '-' && option[1] != '-' && option.AsSpan(1).IndexOfAny("iaAn") >= 0)
                return option;
        }
        return null;
    }

    /// <summary>A variable name that the command at <paramref name="index"/> assigns (read's names, printf -v's) and that is evaluated when assigned.</summary>
    private string? AssignsEvaluated(int index)
    {
        var printf = _words[index] is { } name && Path.GetFileName(name) == "printf";
        for (var k = index + 1; k < _words.Count; k++)
        {
            if (printf && _words[k - 1] != "-v")
                continue;
            if (_words[k] is { } word && (s_evaluatedVariables.Contains(word) || _shared.EvaluatedNames.Contains(word)))
                return word;
        }
        return null;
    }

    /// <summary>Names the words of a declare -i/-a/-A/-n (typeset, local, readonly) make integer, array or reference.</summary>
    private void TrackDeclared(string prefix)
    {
        if (_words.Count < 2 || _words[0] is not { } first || !s_declarers.Contains(first) || first == "export")
            return;
        if (EvaluatingOption(0, _words.Count - 1) is null)
            return;
        var end = prefix.AsSpan().IndexOfAnyExcept(s_nameCharacters);
        var name = end < 0 ? prefix : prefix[..end];
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
            return;
        var options = string.Concat(_words.Skip(1).Take(_words.Count - 2).OfType<string>().Where(w => w.Length > 1 && w[0] == '-' && w[1] != '-'));
        if (options.AsSpan().IndexOfAny("in") >= 0)
            _shared.EvaluatedNames.Add(name);
        if (options.AsSpan().IndexOfAny("aA") >= 0)
            _shared.ArrayNames.Add(name);
    }

    /// <summary>Whether the command is declare, typeset or local (which parse a value given to an array as a compound assignment).</summary>
    private bool DeclaresHere() =>
        Resolve(out _, out _) is { } name && Path.GetFileName(name) is "declare" or "typeset" or "local";

    /// <summary>The variable a word starting with <paramref name="prefix"/> assigns, when it is evaluated or runs: NAME=, NAME+=, NAME[...]=.</summary>
    private string? Assigned(string prefix, bool declares)
    {
        if (prefix.StartsWith("BASH_FUNC_", StringComparison.Ordinal) && prefix.Contains('=', StringComparison.Ordinal))
            return prefix[..prefix.IndexOf('=', StringComparison.Ordinal)];
        var m = AssignmentStart().Match(prefix);
        if (!m.Success)
            return null;
        var name = m.Groups[1].Value;
        return s_evaluatedVariables.Contains(name) || _shared.EvaluatedNames.Contains(name) || declares && _shared.ArrayNames.Contains(name) ? name : null;
    }

    /// <summary>Why a value is code as the standard input of this command: a shell reads its commands from it, or read assigns an evaluated variable.</summary>
    private string? Stdin()
    {
        var start = 0;
        while (start < _words.Count && IsAssignment(_prefixes[start]))
            start++;
        Launched(start, -1, "", out var shell);
        if (shell is not null)
            return $"as the input of {shell}, which reads its commands from it";
        var name = Resolve(out var index, out _);
        if (name is not null && s_nameTakers.Contains(Path.GetFileName(name)) && AssignsEvaluated(index) is { } variable)
            return $"as the input of {Path.GetFileName(name)}, which assigns it to {variable} (the shell runs or evaluates it)";
        return null;
    }

    /// <summary>
    /// Scans the words from <paramref name="start"/> for any that starts a shell or hands its arguments to one, whatever comes
    /// before it; why word <paramref name="at"/> (-1: none) is then code. <paramref name="stdinShell"/>: a shell that reads
    /// its commands from its standard input (no -c, no script).
    /// </summary>
    private string? Launched(int start, int at, string prefix, out string? stdinShell)
    {
        stdinShell = null;
        // An expansion is taken for a possible shell only as the command's name (past the wrappers Resolve knows):
        // elsewhere it is mostly a value given with its flag (tool [A] -c [B]).
        var expansion = Resolve(out var named, out _) is null ? named : -1;
        var k = start;
        while (k < _words.Count)
        {
            var word = _words[k];
            var command = word is null ? null : Path.GetFileName(word);
            if (command is null && k != expansion)
            {
                k++;
                continue;
            }
            if (command is null || s_shells.Contains(command))
            {
                if (Shell(command, k, at, out var next, out var readsStdin) is { } reason)
                    return reason;
                if (readsStdin)
                    stdinShell ??= command;
                k = Math.Max(next, k + 1);
                continue;
            }
            if (at > k)
            {
                switch (command)
                {
                    case "su" or "runuser" or "ssh":
                        return $"in an argument of {command}, which hands its arguments to a shell";
                    case "sg" when at > k + 1:
                        return "in the command of sg, which runs it with /bin/sh -c";
                    case "watch" when !HasOption(k, "x", "--exec"):
                        return "in the command of watch, which runs it with sh -c (without -x)";
                    case "sudo" when HasOption(k, "si", "--shell", "--login", at):
                        return "in the command of sudo -s or -i, which runs it with a shell";
                    case "script" when IsCommandOption(_words[at - 1]) || at == _words.Count && IsCommandOptionStart(prefix):
                        return "in the command of script -c, which runs it with a shell";
                    case "flock" when FlockCommand(k) is { } c && at == c:
                        return "in the command of flock -c, which runs it with a shell";
                    case "env" when EnvSplits(k + 1, at):
                        return "in the string of env -S, which env splits into a command";
                }
            }
            k++;
        }
        return null;
    }

    /// <summary>Whether the words after <paramref name="index"/> (up to <paramref name="end"/>) hold a short option with one of <paramref name="letters"/>, or a long one given.</summary>
    private bool HasOption(int index, string letters, string longOption, string? otherLong = null, int end = -1)
    {
        for (var k = index + 1; k < (end < 0 ? _words.Count : end); k++)
        {
            if (_words[k] is not { Length: > 1 } option || option[0] != '-')
                continue;
            if (option.StartsWith("--", StringComparison.Ordinal) ? option == longOption || option == otherLong : option.AsSpan(1).IndexOfAny(letters) >= 0)
                return true;
        }
        return false;
    }

    /// <summary>The word that flock at <paramref name="index"/> takes as -c's command (flock [options] FILE -c COMMAND); -1 when none.</summary>
    private int FlockCommand(int index)
    {
        var f = index + 1;
        while (f < _words.Count && _words[f] is { Length: > 1 } option && option[0] == '-')
            f += option is "-w" or "--timeout" or "-E" or "--conflict-exit-code" ? 2 : 1;
        return f + 1 < _words.Count && _words[f + 1] is "-c" or "--command" ? f + 2 : -1;
    }

    /// <summary>-c (or a short cluster with c), --command, --session-command: options whose argument is a shell's command.</summary>
    private static bool IsCommandOption(string? word) =>
        word is "--command" or "--session-command" || word is { Length: > 1 } w && w[0] == '-' && w[1] != '-' && w.EndsWith('c');

    private static bool IsCommandOptionStart(string prefix) =>
        prefix.StartsWith("--command=", StringComparison.Ordinal) || prefix.StartsWith("--session-command=", StringComparison.Ordinal)
        || prefix.Length > 1 && prefix[0] == '-' && prefix[1] != '-' && prefix.Contains('c', StringComparison.Ordinal);

    /// <summary>Whether env's options from word <paramref name="i"/> hold -S with the value (word <paramref name="at"/>) in its string.</summary>
    private bool EnvSplits(int i, int at)
    {
        if (at != _words.Count)
            return false;
        i = SkipOptions(i, ["-u", "--unset", "-C", "--chdir", "-S", "--split-string"], out var split);
        return split || i == _words.Count && !_dynamic && (_current.ToString().StartsWith("-S", StringComparison.Ordinal) || _current.ToString().StartsWith("--split-string", StringComparison.Ordinal));
    }

    /// <summary>
    /// The name of the command the words run, past assignments and the commands that run another
    /// (env, exec, command, builtin, nice, timeout, xargs, nohup, setsid, stdbuf, busybox), to find the builtins
    /// that read code; null when unknown. Shells are found wherever they stand (<see cref="Launched"/>).
    /// </summary>
    private string? Resolve(out int index, out bool envSplit)
    {
        envSplit = false;
        var i = 0;
        while (i < _words.Count && IsAssignment(_prefixes[i]))
            i++;
        while (i < _words.Count)
        {
            var word = _words[i];
            if (word is null)
            {
                index = i;
                return null;
            }
            var command = Path.GetFileName(word);
            switch (command)
            {
                case "env":
                    i = SkipOptions(i + 1, ["-u", "--unset", "-C", "--chdir", "-S", "--split-string"], out var split);
                    if (split || i == _words.Count && !_dynamic && (_current.ToString().StartsWith("-S", StringComparison.Ordinal) || _current.ToString().StartsWith("--split-string", StringComparison.Ordinal)))
                    {
                        envSplit = true;
                        index = i;
                        return null;
                    }
                    while (i < _words.Count && IsAssignment(_prefixes[i]))
                        i++;
                    continue;
                case "exec":
                    i = SkipOptions(i + 1, ["-a"], out _);
                    continue;
                case "command" or "builtin" or "nohup" or "setsid":
                    i = SkipOptions(i + 1, [], out _);
                    continue;
                case "nice" or "stdbuf" or "ionice" or "chrt" or "taskset":
                    i = SkipOptions(i + 1, ["-n", "--adjustment", "-i", "-o", "-e", "-c", "--class", "-p"], out _);
                    continue;
                case "timeout":
                    i = SkipOptions(i + 1, ["-k", "--kill-after", "-s", "--signal"], out _) + 1; // and its duration
                    continue;
                case "xargs":
                    i = SkipOptions(i + 1, ["-a", "--arg-file", "-d", "--delimiter", "-E", "-e", "-I", "-L", "-n", "--max-args", "-P", "--max-procs", "-s", "--max-chars"], out _);
                    continue;
                case "busybox" when i + 1 < _words.Count && _words[i + 1] is { } applet && s_shells.Contains(applet):
                    i++;
                    continue;
            }
            index = i;
            return word;
        }
        index = i;
        return null;
    }

    /// <summary>Skips options from word <paramref name="i"/> (those in <paramref name="withArgument"/> and their argument too); returns the first word that is none.</summary>
    private int SkipOptions(int i, string[] withArgument, out bool sawSplit)
    {
        sawSplit = false;
        var at = _words.Count;
        while (i < at)
        {
            if (_words[i] is not { } option)
                return i;
            if (option == "--")
                return i + 1;
            if (option.Length < 2 || option[0] != '-')
                return i;
            var bare = option.Split('=', 2)[0];
            if (bare is "-S" or "--split-string" || option.StartsWith("-S", StringComparison.Ordinal) || option.StartsWith("-iS", StringComparison.Ordinal))
            {
                // The string is the option's rest, or the next word: a value anywhere up to there is in it.
                if (option.Length > 2 && option != "--split-string" || i + 1 >= at)
                {
                    sawSplit = true;
                    return i;
                }
            }
            i += withArgument.Contains(bare) && !option.Contains('=', StringComparison.Ordinal) ? 2 : 1;
        }
        if (i > at)
            i = at;
        return i;
    }

    /// <summary>
    /// For a shell (by name, or of unknown name: an expansion) at word <paramref name="index"/>, why word <paramref name="at"/>
    /// is read as code: it is among its options (a value could be <c>-c</c>) or is the command string of <c>-c</c> or the
    /// script it reads; null when it is one of the script's arguments, or the command's name itself. <paramref name="next"/>:
    /// the first word past its command string and $0 (or its script), where another command may be named.
    /// </summary>
    private string? Shell(string? command, int index, int at, out int next, out bool readsStdin)
    {
        var c = false;
        var s = false;
        var j = index + 1;
        while (j < _words.Count)
        {
            if (_words[j] is not { } option)
                break;
            if (option is "--" or "-")
            {
                j++;
                break;
            }
            if (option.Length < 2 || option[0] is not ('-' or '+'))
                break;
            if (!option.StartsWith("--", StringComparison.Ordinal))
            {
                c |= option.AsSpan(1).Contains('c');
                s |= option.AsSpan(1).Contains('s');
            }
            j += option is "-o" or "+o" or "-O" or "+O" or "--rcfile" or "--init-file" ? 2 : 1;
        }
        // An expansion that is not given -c may be any command: the word after it is looked at too.
        next = c ? j + 2 : command is null ? index + 1 : s ? j : j + 1;
        readsStdin = command is not null && !c && (s || j >= _words.Count);
        if (at <= index)
            return null;
        if (command is not null)
            return at <= j ? $"in the options or the commands of {command} (its -c string or script), which it parses again" : null;
        return c && at == j ? "as the -c string of a command whose name is an expansion (it may be a shell)" : null;
    }

    private static bool IsAssignment(string word)
    {
        var equals = word.IndexOf('=', StringComparison.Ordinal);
        return equals > 0 && (char.IsAsciiLetter(word[0]) || word[0] == '_') && word.AsSpan(0, equals).IndexOfAnyExcept(s_nameCharacters) < 0;
    }

    // NAME=( or NAME+=( : a compound (array) assignment.
    [GeneratedRegex(@"^([A-Za-z_][A-Za-z0-9_]*)\+?=$")]
    private static partial Regex CompoundStart();

    // NAME=, NAME+=, NAME[...]= at a word's start.
    [GeneratedRegex(@"^([A-Za-z_][A-Za-z0-9_]*)(\[[^\]]*\])?\+?=")]
    private static partial Regex AssignmentStart();

    // NAME[ or [ whose subscript is not closed yet.
    [GeneratedRegex(@"^([A-Za-z_][A-Za-z0-9_]*)?\[[^\]]*$")]
    private static partial Regex OpenSubscript();
}
