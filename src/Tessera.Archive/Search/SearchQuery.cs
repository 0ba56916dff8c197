namespace Tessera.Archive.Search;

/// <summary>
/// What the search box asks: text found in labels, descriptions and custom-field values, and
/// the sessions' date range (inclusive) and modality (their type). Empty parts match everything.
/// </summary>
public sealed record SearchQuery(string? Text = null, DateOnly? From = null, DateOnly? To = null, string? Modality = null)
{
    public bool FiltersSessions => From is not null || To is not null || !string.IsNullOrWhiteSpace(Modality);

    public bool IsEmpty => string.IsNullOrWhiteSpace(Text) && !FiltersSessions;
}
