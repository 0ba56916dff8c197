using System.Text;

namespace Tessera.Pipelines.Tools.Boutiques;

/// <summary>
/// A command line for a POSIX shell, written from the descriptor's own text (its command-line,
/// flags and separators) and the job's values. The descriptor's text is followed as the shell will
/// read it, so each value is quoted for the place it lands in: bare, inside the template's own
/// <c>'...'</c> or <c>"..."</c> (as Boutiques' examples write <c>printf '[STRING_INPUT]\n'</c>), or
/// inside <c>$(...)</c>, and always reads back as exactly itself. Places where no quoting holds are
/// refused (<see cref="Unquotable"/>, and <see cref="Finish"/> for those that what follows makes code): among
/// them bash's <c>$'...'</c> and <c>$"..."</c>, arithmetic (<c>$((...))</c>, <c>$[...]</c>), and the arguments a
/// command parses again as shell code (<see cref="ShellCommandWords"/>: <c>eval</c>, <c>sh -c</c>, <c>source</c>…).
/// </summary>
public sealed class ShellCommandLine
{
    private enum Context { Plain, Single, Double, Substitution, Backquote, Parameter, Comment, AnsiC, Locale, Arithmetic, OldArithmetic }

    private readonly StringBuilder _text = new();
    // The innermost context last; a substitution's entry counts its open parentheses.
    private readonly List<(Context Kind, int Parens)> _contexts = [(Context.Plain, 0)];
    // The command being read at each level: the template's own, then one per $(...) entered.
    private readonly List<ShellCommandWords> _commands;
    private readonly ShellCommandWords.Shared _shared = new();
    private bool _substitutionOpened;
    private bool _escaped;
    private bool _hereDocPending;
    private bool _inHereDoc;
    // Whether "case" was written in a "$(...)": its patterns' lone ')' are not told apart (see Unquotable).
    private readonly StringBuilder _word = new();
    private bool _caseInQuotedSubstitution;
    // What decides the meaning of the next character: '$' before '(' or '{', '<' before '<', a word's start before '#'.
    private char _previous = '\n';

    public ShellCommandLine() => _commands = [new ShellCommandWords(_shared)];

    /// <summary>
    /// Why a value cannot stand where the text written so far ends (e.g. "in a comment"); null when it can.
    /// </summary>
    public string? Unquotable
    {
        get
        {
            if (_inHereDoc)
                return "in a here-document (a line after <<)";
            if (_escaped)
                return "right after a backslash";
            var top = _contexts[^1].Kind;
            if (top == Context.Comment)
                return "in a comment";
            if (_contexts.Any(c => c.Kind == Context.Backquote))
                return "inside `...` (write $(...) instead)";
            if (_contexts.Any(c => c.Kind == Context.Parameter))
                return "inside ${...}";
            // A case pattern's lone ')' ends a $(...) in this reading but not in the shell's; that
            // is harmless in plain text (a value is quoted alike), not in "$(...)" (it is not).
            if (_caseInQuotedSubstitution && _contexts.Any(c => c.Kind == Context.Double))
                return "inside \"...\" after a case statement in \"$(...)\"";
            if (_previous == '$' && top is Context.Plain or Context.Substitution)
                return "right after '$'";
            if (_contexts.Any(c => c.Kind == Context.AnsiC))
                return "inside $'...' (bash's ANSI-C quoting, where a backslash escapes the closing quote)";
            if (_contexts.Any(c => c.Kind == Context.Locale))
                return "inside $\"...\" (bash's translated string)";
            if (_contexts.Any(c => c.Kind == Context.Arithmetic))
                return "inside arithmetic, ((...)) or $((...)), which the shell evaluates (and runs $(...) in)";
            if (_contexts.Any(c => c.Kind == Context.OldArithmetic))
                return "inside $[...], bash's old arithmetic, which it evaluates (and runs $(...) in)";
            return Words.ReEvaluated();
        }
    }

    /// <summary>Appends the descriptor's own text, which the shell reads as written.</summary>
    public void Syntax(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        _text.Append(text);
        foreach (var c in text)
            Read(c);
    }

    /// <summary>Appends a value, quoted so that the shell reads exactly it where it stands.</summary>
    /// <param name="value">The value.</param>
    /// <param name="name">How <see cref="Finish"/> names the value if what follows it makes it code (a shell later on its command reads it).</param>
    /// <exception cref="InvalidOperationException">It stands where no quoting holds (<see cref="Unquotable"/>).</exception>
    public void Value(string value, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (Unquotable is { } where)
            throw new InvalidOperationException($"A value cannot be quoted {where}.");
        // Inside the template's quotes, they are closed for the value and opened again after it.
        var quoted = Quote(value);
        _text.Append(_contexts[^1].Kind switch
        {
            Context.Single => "'" + quoted + "'",
            Context.Double => "\"" + quoted + "\"",
            _ => quoted,
        });
        Words.Value(name);
        _previous = 'v';
    }

    /// <summary>
    /// Ends the text: the values (by the names given to <see cref="Value"/>) that what followed them made code, with
    /// where, e.g. the file of <c>&lt; [A] sh</c>, whose shell is named after the value.
    /// </summary>
    public IReadOnlyList<(string Name, string Where)> Finish()
    {
        for (var i = _commands.Count - 1; i >= 0; i--)
            _commands[i].EndCommand();
        return _shared.Late;
    }

    public override string ToString() => _text.ToString();

    /// <summary>Quotes a value for a POSIX shell, outside any quotes.</summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    /// <summary>The words of the command being read, at the innermost level.</summary>
    private ShellCommandWords Words => _commands[^1];

    /// <summary>Whether what is read now is part of a command's words (not of a `...`, ${...}, comment or arithmetic).</summary>
    private bool Tracking => !_contexts.Any(c => c.Kind is Context.Backquote or Context.Parameter or Context.Comment or Context.Arithmetic or Context.OldArithmetic);

    private void Read(char c)
    {
        if (_inHereDoc)
            return;
        var opened = _substitutionOpened;
        _substitutionOpened = false;
        if (_escaped)
        {
            _escaped = false;
            // A backslash and a line break join lines; any other escaped character is itself.
            if (c != '\n' && Tracking)
                Words.Literal(c);
            _previous = 'v';
            return;
        }
        var (kind, parens) = _contexts[^1];
        switch (kind)
        {
            case Context.Single:
                if (c == '\'')
                    Leave();
                else if (Tracking)
                    Words.Literal(c);
                break;
            case Context.AnsiC:
                if (c == '\\')
                    _escaped = true;
                else if (c == '\'')
                    Leave();
                break;
            case Context.Comment:
                if (c == '\n')
                {
                    Leave();
                    NewLine();
                    if (Tracking)
                        Words.EndCommand();
                }
                break;
            case Context.Backquote:
                // `...` ends at the next backquote not escaped, whatever quotes lie between (POSIX 2.6.3).
                if (c == '\\')
                    _escaped = true;
                else if (c == '`')
                    Leave();
                break;
            case Context.Arithmetic:
                if (c == '(')
                    _contexts[^1] = (kind, parens + 1);
                else if (c == ')' && parens == 0)
                    Leave();
                else if (c == ')')
                    _contexts[^1] = (kind, parens - 1);
                break;
            case Context.OldArithmetic:
                if (c == '[')
                    _contexts[^1] = (kind, parens + 1);
                else if (c == ']' && parens == 0)
                    Leave();
                else if (c == ']')
                    _contexts[^1] = (kind, parens - 1);
                break;
            case Context.Double or Context.Locale:
                if (c == '\\')
                {
                    _escaped = true;
                }
                else if (c == '"')
                {
                    Leave();
                }
                else if (c == '`')
                {
                    Dynamic();
                    Enter(Context.Backquote);
                }
                else if (c == '(' && _previous == '$')
                {
                    Enter(Context.Substitution);
                }
                else if (c == '{' && _previous == '$')
                {
                    Enter(Context.Parameter);
                }
                else if (c == '[' && _previous == '$')
                {
                    Enter(Context.OldArithmetic);
                }
                else if (c == '$')
                {
                    Dynamic();
                }
                else if (Tracking)
                {
                    Words.Literal(c);
                }
                break;
            default:
                ReadUnquoted(c, kind, parens, opened);
                break;
        }
        _previous = c;
    }

    private void Dynamic()
    {
        if (Tracking)
            Words.Dynamic();
    }

    /// <summary>Plain text, and what $(...) and ${...} hold: there quotes open, words and commands start.</summary>
    private void ReadUnquoted(char c, Context kind, int parens, bool opened)
    {
        if (char.IsAsciiLetter(c))
        {
            _word.Append(c);
        }
        else
        {
            if (c is ' ' or '\t' or '\n' && _word.Equals("case") && kind == Context.Substitution && _contexts.Any(x => x.Kind == Context.Double))
                _caseInQuotedSubstitution = true;
            _word.Clear();
        }
        var words = Tracking ? Words : null;
        switch (c)
        {
            case '\\':
                _escaped = true;
                words?.Quote();
                break;
            case '\'' when _previous == '$':
                Enter(Context.AnsiC);
                break;
            case '\'':
                words?.Quote();
                Enter(Context.Single);
                break;
            case '"' when _previous == '$':
                Enter(Context.Locale);
                break;
            case '"':
                words?.Quote();
                Enter(Context.Double);
                break;
            case '`':
                words?.Dynamic();
                Enter(Context.Backquote);
                break;
            case '#' when _previous is ' ' or '\t' or '\n' or ';' or '&' or '|' or '(' or ')' or '<' or '>':
                Enter(Context.Comment);
                break;
            case '(' when _previous == '$':
                Enter(Context.Substitution);
                break;
            case '(' when opened || _previous == '(' && kind is Context.Plain or Context.Substitution:
                // $((...)) and ((...)): arithmetic; its first unmatched ')' ends it, the next the $( or ( before.
                Enter(Context.Arithmetic);
                break;
            case '(' when kind == Context.Substitution:
                _contexts[^1] = (kind, parens + 1);
                words?.OpenParenthesis();
                break;
            case ')' when kind == Context.Substitution:
                if (parens == 0)
                {
                    Leave();
                }
                else
                {
                    _contexts[^1] = (kind, parens - 1);
                    words?.CloseParenthesis();
                }
                break;
            case '{' when _previous == '$':
                Enter(Context.Parameter);
                break;
            case '[' when _previous == '$':
                Enter(Context.OldArithmetic);
                break;
            case '}' when kind == Context.Parameter:
                Leave();
                break;
            case '<' when _previous == '<':
                _hereDocPending = true;
                words?.Redirect(c);
                break;
            case '<' or '>':
                words?.Redirect(c);
                break;
            case '&' or '|' when _previous is '<' or '>':
                break; // >&2, <&0, >| are redirections
            case '(':
                words?.OpenParenthesis();
                break;
            case ')':
                words?.CloseParenthesis();
                break;
            case ';' or '&' or '|':
                words?.EndCommand();
                break;
            case '\n':
                NewLine();
                words?.EndCommand();
                break;
            case ' ' or '\t':
                words?.EndWord();
                break;
            case '$':
                words?.Dynamic();
                break;
            default:
                words?.Literal(c);
                break;
        }
    }

    /// <summary>A here-document's body starts on the line after its <c>&lt;&lt;</c>; it runs (taken to run) to the end.</summary>
    private void NewLine()
    {
        if (_hereDocPending)
            _inHereDoc = true;
    }

    private void Enter(Context kind)
    {
        if (kind is Context.Substitution or Context.Locale or Context.AnsiC && Tracking)
            Words.Dynamic();
        _contexts.Add((kind, 0));
        if (kind == Context.Substitution)
        {
            _commands.Add(new ShellCommandWords(_shared));
            _substitutionOpened = true;
        }
    }

    private void Leave()
    {
        if (_contexts.Count <= 1)
            return;
        if (_contexts[^1].Kind == Context.Substitution && _commands.Count > 1)
        {
            _commands[^1].EndCommand();
            _commands.RemoveAt(_commands.Count - 1);
        }
        _contexts.RemoveAt(_contexts.Count - 1);
    }
}
