using System.Buffers;
using System.Text;

namespace Tessera.Pipelines.Tools.Boutiques;

/// <summary>
/// The words of the simple command that a template's text is in, as far as it has been read, so that
/// <see cref="ShellCommandLine"/> can tell where a quoted value would still be read again as shell code:
/// an argument of <c>eval</c> or <c>let</c>, the options or command string of <c>sh -c</c> (and bash, dash,
/// zsh, ksh, busybox sh…, after <c>env</c>, <c>exec</c>, <c>command</c>, <c>nice</c>, <c>timeout</c>,
/// <c>xargs</c>… and by absolute path), the file of <c>source</c> or <c>.</c>, the action of <c>trap</c>,
/// <c>env -S</c>'s string, or a variable name bash evaluates subscripts of (<c>read</c>, <c>unset</c>,
/// <c>printf -v</c>, <c>declare</c>…), and anything inside <c>[[ … ]]</c>. Quoting there holds once, then
/// the value is parsed again. A word holding an expansion is unknown (null): a command whose name is
/// unknown is taken for a shell only once it has <c>-c</c>.
/// </summary>
internal sealed class ShellCommandWords
{
    private static readonly HashSet<string> s_shells = new(StringComparer.Ordinal)
    {
        "sh", "bash", "dash", "zsh", "ksh", "ksh93", "mksh", "pdksh", "ash", "yash", "posh", "rbash", "hush", "fish", "tcsh", "csh",
    };

    // Words that start a command without being its name.
    private static readonly HashSet<string> s_keywords = new(StringComparer.Ordinal)
    {
        "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "time", "coproc",
    };

    // Bash reads these arguments as variable names, and evaluates an array subscript in them as arithmetic (code, with $(...)).
    private static readonly HashSet<string> s_nameTakers = new(StringComparer.Ordinal) { "read", "unset", "mapfile", "readarray", "getopts", "wait" };

    private static readonly HashSet<string> s_declarers = new(StringComparer.Ordinal) { "declare", "typeset", "local", "export", "readonly" };

    private static readonly SearchValues<char> s_nameCharacters = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");

    private readonly List<string?> _words = [];
    // Each word's text up to its first expansion: "X=" of X=$Y tells an assignment.
    private readonly List<string> _prefixes = [];
    private readonly StringBuilder _current = new();
    private string? _dynamicPrefix;
    private bool _inWord;
    private bool _dynamic;
    private bool _redirectTarget;
    private bool _skipWord;

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
    }

    /// <summary>A redirection (&lt; or &gt;): its target is not an argument, and neither is a descriptor number before it.</summary>
    public void Redirect()
    {
        if (_inWord && !_dynamic && _current.Length > 0 && _current.ToString().All(char.IsAsciiDigit))
        {
            _current.Clear();
            _inWord = false;
        }
        EndWord();
        _skipWord = true;
        _redirectTarget = true;
    }

    /// <summary>An operator (; &amp; | ( ) or a line break): a new command starts.</summary>
    public void EndCommand()
    {
        EndWord();
        _words.Clear();
        _prefixes.Clear();
        _skipWord = false;
        _redirectTarget = false;
    }

    /// <summary>Why a value written now, in the current word, would be parsed again as shell code; null when it would not.</summary>
    public string? ReEvaluated()
    {
        if (_skipWord && _redirectTarget)
            return null; // a redirection's file name
        var at = _words.Count;
        var name = Resolve(out var index, out var envSplit);
        if (envSplit)
            return "in the string of env -S, which env splits into a command";
        if (name is null || index >= at)
            return Shell(null, index, at);
        var command = Path.GetFileName(name);
        if (command == "[[")
            return "inside [[ ... ]], whose arithmetic operands bash evaluates as code";
        switch (command)
        {
            case "eval":
                return "in an argument of eval, which the shell reads again as commands";
            case "let":
                return "in an argument of let, which bash evaluates as arithmetic (and code)";
            case "source" or "." when at == index + 1:
                return $"as the file of {command}, whose content the shell runs";
            case "trap" when at == index + 1 || at == index + 2 && _words[index + 1] is "--":
                return "as the action of trap, which the shell reads again as commands";
            case "printf" when at > index + 1 && _words[at - 1] == "-v":
                return "as the variable name of printf -v, whose subscript bash evaluates as code";
        }
        if (s_nameTakers.Contains(command))
            return $"in an argument of {command}, which bash takes for a variable name and evaluates its subscript as code";
        if (s_declarers.Contains(command) && !_current.ToString().Contains('=', StringComparison.Ordinal))
            return $"in a variable name of {command}, whose subscript bash evaluates as code";
        return Shell(command, index, at);
    }

    /// <summary>
    /// The name of the command the words run, past assignments and the commands that run another
    /// (env, exec, command, builtin, nice, timeout, xargs, nohup, setsid, stdbuf, busybox); null when unknown.
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
    /// For a shell (by name, or of unknown name), why word <paramref name="at"/> is read as code: it is
    /// among its options (a value could be <c>-c</c>) or is the command string of <c>-c</c> (or the script it
    /// reads); null when it is one of the script's arguments, or the command's name itself.
    /// </summary>
    private string? Shell(string? command, int index, int at)
    {
        if (index >= at || command is not null && !s_shells.Contains(command))
            return null;
        var c = false;
        var j = index + 1;
        while (j < at)
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
            if (!option.StartsWith("--", StringComparison.Ordinal) && option.AsSpan(1).Contains('c'))
                c = true;
            j += option is "-o" or "+o" or "-O" or "+O" or "--rcfile" or "--init-file" ? 2 : 1;
        }
        if (command is not null)
            return at <= j ? $"in the options or the commands of {command} (its -c string or script), which it parses again" : null;
        return c && at == j ? "as the -c string of a command whose name is an expansion (it may be a shell)" : null;
    }

    private static bool IsAssignment(string word)
    {
        var equals = word.IndexOf('=', StringComparison.Ordinal);
        return equals > 0 && (char.IsAsciiLetter(word[0]) || word[0] == '_') && word.AsSpan(0, equals).IndexOfAnyExcept(s_nameCharacters) < 0;
    }
}
