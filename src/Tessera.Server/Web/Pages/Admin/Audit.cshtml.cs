using Microsoft.AspNetCore.Mvc;
using Tessera.Archive.Audit;
using Tessera.Archive.Data;
using Tessera.Archive.Hierarchy;
using Tessera.Server.Auth;

namespace Tessera.Server.Web.Pages.Admin;

/// <summary>The audit log, newest first, filtered by project, user and a range of days.</summary>
[Access(AccessRule.Admin)]
public sealed class AuditModel(AuditService audit) : TesseraPageModel
{
    public const int PageSize = 100;

    [BindProperty(SupportsGet = true)]
    public string? Project { get; set; }

    [BindProperty(Name = "user", SupportsGet = true)]
    public string? Username { get; set; }

    [BindProperty(SupportsGet = true)]
    public DateOnly? From { get; set; }

    /// <summary>The last day included (the whole day).</summary>
    [BindProperty(SupportsGet = true)]
    public DateOnly? To { get; set; }

    [BindProperty(Name = "page", SupportsGet = true)]
    public int PageNumber { get; set; } = 1;

    public Page<AuditEntry> Entries { get; private set; } = null!;

    public Pager Pager { get; private set; } = null!;

    public async Task OnGetAsync()
    {
        Title = "Audit log";
        Crumbs.Add(new Crumb("Administration", "/admin"));
        Crumbs.Add(new Crumb("Audit log"));
        PageNumber = Math.Max(1, PageNumber);
        Entries = await audit.QueryAsync(
            Caller,
            string.IsNullOrWhiteSpace(Project) ? null : Project.Trim(),
            string.IsNullOrWhiteSpace(Username) ? null : Username.Trim(),
            From?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
            To?.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
            new Paging((PageNumber - 1) * PageSize, PageSize),
            Aborted);
        Pager = new Pager(PageNumber, PageSize, Entries.Total, Request.Query);
    }
}
