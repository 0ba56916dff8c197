using Microsoft.AspNetCore.Mvc;
using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Pipelines.Jobs;
using Tessera.Server.Auth;

namespace Tessera.Server.Web.Pages.Projects;

/// <summary>One job: what it runs, where and how it went (its history), its log followed live, and a cancel button for members.</summary>
[Access(AccessRule.ProjectRead)]
public sealed class JobModel(AccessService accessService, JobService jobs) : TesseraPageModel
{
    public ProjectAccess Access { get; private set; } = null!;

    public JobView View { get; private set; } = null!;

    public IReadOnlyList<JobEvent> History { get; private set; } = [];

    private async Task LoadAsync(string p, Guid id)
    {
        Access = await accessService.RequireAsync(p, Caller, AccessLevel.Read, Aborted);
        View = await jobs.GetAsync(Caller, id, Aborted);
        if (View.Project != p)
            throw Archive.TesseraException.NotFound("Job");
        History = await jobs.EventsAsync(Caller, id, Aborted);
        Title = $"Job {View.Tool}";
        AddProjectCrumbs(p);
        Crumbs.Add(new Crumb("Jobs", WebPaths.Jobs(p)));
        Crumbs.Add(new Crumb(JobBadges.ShortId(id)));
    }

    public Task OnGetAsync(string p, Guid job) => LoadAsync(p, job);

    public async Task<IActionResult> OnPostCancelAsync(string p, Guid job)
    {
        await LoadAsync(p, job);
        return await SubmitAsync(async () =>
        {
            await jobs.CancelAsync(Caller, job, Aborted);
            return WebPaths.Job(p, job);
        }, "The job was asked to stop.");
    }
}
