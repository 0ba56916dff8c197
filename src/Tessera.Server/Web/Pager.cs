using Microsoft.AspNetCore.WebUtilities;

namespace Tessera.Server.Web;

/// <summary>Page links for a listing, keeping the other query parameters (search, sort).</summary>
public sealed class Pager(int page, int pageSize, int total, IQueryCollection query)
{
    public int Page { get; } = page;

    public int Pages { get; } = Math.Max(1, (total + pageSize - 1) / pageSize);

    public int Total { get; } = total;

    public string UrlOf(int target)
    {
        var parameters = query.Where(q => q.Key != "page").ToDictionary(q => q.Key, q => (string?)q.Value.ToString());
        parameters["page"] = target.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return QueryHelpers.AddQueryString("", parameters);
    }
}
