using System.Text;

namespace Tessera.Pipelines.Tools.Boutiques;

/// <summary>
/// A command line for a POSIX shell, written from the descriptor's own text (its command-line,
/// flags and separators) and the job's values. The descriptor's text is followed as the shell will
/// read it, so each value is quoted for the place it lands in: bare, inside the template's own
/// <c>'...'</c> or <c>"..."</c> (as Boutiques' examples write <c>printf '[STRING_INPUT]\n'</c>), or
/// inside <c>$(...)</c>, and always reads back as exactly itself. Places where no quoting holds are
/// refused (<see cref="Unquotable"/>).
/// </summary>
public sealed class ShellCommandLine
{
    private enum Context { Plain, Single, Double, Substitution, Backquote, Parameter, Comment }

    private readonly StringBuilder _text = new();
    // The innermost context last; a substitution's entry counts its open parentheses.
    private readonly List<(Context Kind, int Parens)> _contexts = [(Context.Plain, 0)];
    private bool _escaped;
    private bool _hereDocPending;
    private bool _inHereDoc;
    // Whether "case" was written in a "$(...)": its patterns' lone ')' are not told apart (see Unquotable).
    private readonly StringBuilder _word = new();
    private bool _caseInQuotedSubstitution;
    // What decides the meaning of the next character: '$' before '(' or '{', '<' before '<', a word's start before '#'.
    private char _previous = '\n';

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
            return null;
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
    /// <exception cref="InvalidOperationException">It stands where no quoting holds (<see cref="Unquotable"/>).</exception>
    public void Value(string value)
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
        _previous = 'v';
    }

    public override string ToString() => _text.ToString();

    /// <summary>Quotes a value for a POSIX shell, outside any quotes.</summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    private void Read(char c)
    {
        if (_inHereDoc)
            return;
        if (_escaped)
        {
            _escaped = false;
            _previous = 'v';
            return;
        }
        var (kind, parens) = _contexts[^1];
        switch (kind)
        {
            case Context.Single:
                if (c == '\'')
                    Leave();
                break;
            case Context.Comment:
                if (c == '\n')
                {
                    Leave();
                    NewLine();
                }
                break;
            case Context.Backquote:
                // `...` ends at the next backquote not escaped, whatever quotes lie between (POSIX 2.6.3).
                if (c == '\\')
                    _escaped = true;
                else if (c == '`')
                    Leave();
                break;
            case Context.Double:
                if (c == '\\')
                    _escaped = true;
                else if (c == '"')
                    Leave();
                else if (c == '`')
                    Enter(Context.Backquote);
                else if (c == '(' && _previous == '$')
                    Enter(Context.Substitution);
                else if (c == '{' && _previous == '$')
                    Enter(Context.Parameter);
                break;
            default:
                ReadUnquoted(c, kind, parens);
                break;
        }
        _previous = c;
    }

    /// <summary>Plain text, and what $(...) and ${...} hold: there quotes open and words start.</summary>
    private void ReadUnquoted(char c, Context kind, int parens)
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
        switch (c)
        {
            case '\\':
                _escaped = true;
                break;
            case '\'':
                Enter(Context.Single);
                break;
            case '"':
                Enter(Context.Double);
                break;
            case '`':
                Enter(Context.Backquote);
                break;
            case '#' when _previous is ' ' or '\t' or '\n' or ';' or '&' or '|' or '(' or ')' or '<' or '>':
                Enter(Context.Comment);
                break;
            case '(' when _previous == '$':
                Enter(Context.Substitution);
                break;
            case '(' when kind == Context.Substitution:
                _contexts[^1] = (kind, parens + 1);
                break;
            case ')' when kind == Context.Substitution:
                if (parens == 0)
                    Leave();
                else
                    _contexts[^1] = (kind, parens - 1);
                break;
            case '{' when _previous == '$':
                Enter(Context.Parameter);
                break;
            case '}' when kind == Context.Parameter:
                Leave();
                break;
            case '<' when _previous == '<':
                _hereDocPending = true;
                break;
            case '\n':
                NewLine();
                break;
        }
    }

    /// <summary>A here-document's body starts on the line after its <c>&lt;&lt;</c>; it runs (taken to run) to the end.</summary>
    private void NewLine()
    {
        if (_hereDocPending)
            _inHereDoc = true;
    }

    private void Enter(Context kind) => _contexts.Add((kind, 0));

    private void Leave()
    {
        if (_contexts.Count > 1)
            _contexts.RemoveAt(_contexts.Count - 1);
    }
}
