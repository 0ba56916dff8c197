namespace Tessera.Pipelines.Tools.Boutiques;

/// <summary>
/// Finds value-keys in a template (a command-line, an output's path-template) in one pass from left
/// to right. Where several keys start at the same place the longest is taken, so <c>[IN]</c> never
/// takes the start of <c>[IN]_2</c>; and what is put in for a key is never read again for keys, so a
/// value that holds another input's value-key stays that value.
/// </summary>
public sealed class ValueKeyTemplate
{
    private readonly string[] _keys;

    /// <param name="keys">The value-keys to find; empty ones are ignored.</param>
    public ValueKeyTemplate(IEnumerable<string?> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _keys = keys.OfType<string>().Where(k => k.Length > 0).Distinct(StringComparer.Ordinal)
            .OrderByDescending(k => k.Length).ThenBy(k => k, StringComparer.Ordinal).ToArray();
    }

    /// <summary>The template cut into its text and its value-keys, in order.</summary>
    public IEnumerable<TemplatePart> Parts(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var textStart = 0;
        var i = 0;
        while (i < template.Length)
        {
            var key = KeyAt(template, i);
            if (key is null)
            {
                i++;
                continue;
            }
            if (i > textStart)
                yield return new TemplatePart(template[textStart..i], IsKey: false);
            yield return new TemplatePart(key, IsKey: true);
            i += key.Length;
            textStart = i;
        }
        if (template.Length > textStart)
            yield return new TemplatePart(template[textStart..], IsKey: false);
    }

    /// <summary>The template with each value-key replaced by <paramref name="replacement"/>'s text for it.</summary>
    public string Resolve(string template, Func<string, string> replacement)
    {
        ArgumentNullException.ThrowIfNull(replacement);
        return string.Concat(Parts(template).Select(p => p.IsKey ? replacement(p.Text) : p.Text));
    }

    private string? KeyAt(string template, int index)
    {
        foreach (var key in _keys)
        {
            if (template.AsSpan(index).StartsWith(key, StringComparison.Ordinal))
                return key;
        }
        return null;
    }
}
