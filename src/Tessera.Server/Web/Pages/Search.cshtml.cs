using Microsoft.AspNetCore.Mvc;
using Tessera.Archive.Search;
using Tessera.Server.Auth;

namespace Tessera.Server.Web.Pages;

/// <summary>One search across every project the visitor can read.</summary>
[Access(AccessRule.Public)]
public sealed class SearchModel(SearchService search) : TesseraPageModel
{
    public const int Limit = 100;

    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    [BindProperty(SupportsGet = true)]
    public DateOnly? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public DateOnly? To { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Modality { get; set; }

    public SearchQuery Query { get; private set; } = new();

    public SearchResults Results { get; private set; } = null!;

    public async Task OnGetAsync()
    {
        Title = string.IsNullOrWhiteSpace(Q) ? "Search" : $"Search: {Q}";
        Crumbs.Add(new Crumb("Projects", "/"));
        Crumbs.Add(new Crumb("Search"));
        Query = new SearchQuery(Q, From, To, Modality);
        Results = await search.SearchAsync(Caller, Query, Limit, Aborted);
    }
}
