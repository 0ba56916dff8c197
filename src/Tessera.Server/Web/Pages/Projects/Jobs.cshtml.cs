using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Tessera.Archive.Access;
using Tessera.Archive.Hierarchy;
using Tessera.Pipelines.Batches;
using Tessera.Pipelines.Jobs;
using Tessera.Pipelines.Tools;
using Tessera.Server.Auth;

namespace Tessera.Server.Web.Pages.Projects;

/// <summary>A project's jobs (filtered, their states kept live by jobs.js) and its batch runs with their progress; members start batches.</summary>
[Access(AccessRule.ProjectRead)]
public sealed class JobsModel(AccessService accessService, JobService jobs, BatchService batches, ToolService tools) : TesseraPageModel
{
    private const int PageSize = 50;

    public ProjectAccess Access { get; private set; } = null!;

    public Page<JobView> Jobs { get; private set; } = null!;

    public Pager Pager { get; private set; } = null!;

    public IReadOnlyList<BatchView> Batches { get; private set; } = [];

    public IReadOnlyList<string> ToolKeys { get; private set; } = [];

    [BindProperty(SupportsGet = true)]
    public string? State { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Tool { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Target { get; set; }

    [BindProperty(SupportsGet = true, Name = "page")]
    public int PageNumber { get; set; } = 1;

    [BindProperty]
    public string? BatchTool { get; set; }

    [BindProperty]
    public string? SessionType { get; set; }

    [BindProperty]
    public string? BatchInputs { get; set; }

    [BindProperty]
    public string? ProcessedBy { get; set; }

    [BindProperty]
    public string Level { get; set; } = "session";

    [BindProperty]
    public int MaxConcurrent { get; set; } = 4;

    [BindProperty]
    public Guid CancelBatchId { get; set; }

    /// <summary>Only the jobs of this batch.</summary>
    [BindProperty(SupportsGet = true, Name = "batch")]
    public Guid? BatchFilter { get; set; }

    /// <summary>The API query the page's table is refreshed from.</summary>
    public string LiveUrl => $"/api/projects/{Access.Project.Slug}/jobs?limit={PageSize}&offset={(PageNumber - 1) * PageSize}"
        + (State is { Length: > 0 } ? $"&state={Uri.EscapeDataString(State)}" : "")
        + (Tool is { Length: > 0 } ? $"&tool={Uri.EscapeDataString(Tool)}" : "")
        + (Target is { Length: > 0 } ? $"&target={Uri.EscapeDataString(Target)}" : "")
        + (BatchFilter is { } batch ? $"&batch={batch}" : "");

    private async Task LoadAsync(string p)
    {
        Access = await accessService.RequireAsync(p, Caller, AccessLevel.Read, Aborted);
        Title = $"Jobs of {Access.Project.Name}";
        AddProjectCrumbs(p);
        Crumbs.Add(new Crumb("Jobs"));
        PageNumber = Math.Max(1, PageNumber);
        var state = string.IsNullOrWhiteSpace(State) ? null : State;
        Jobs = await jobs.ListAsync(Caller, p, state, string.IsNullOrWhiteSpace(Tool) ? null : Tool.Trim(), string.IsNullOrWhiteSpace(Target) ? null : Target.Trim(),
            new Paging((PageNumber - 1) * PageSize, PageSize), Aborted, BatchFilter);
        Pager = new Pager(PageNumber, PageSize, Jobs.Total, Request.Query);
        Batches = (await batches.ListAsync(Caller, p, new Paging(0, 10), Aborted)).Items;
        ToolKeys = (await tools.ListAsync(Caller, p, includeDeprecated: true, Aborted)).Select(t => $"{t.Tool.Name}@{t.Tool.Version}").ToList();
    }

    public Task OnGetAsync(string p) => LoadAsync(p);

    /// <summary>Starts a batch run of a tool over the project's sessions (or their scans), or over what an earlier version processed.</summary>
    public async Task<IActionResult> OnPostBatchAsync(string p)
    {
        await LoadAsync(p);
        return await SubmitAsync(async () =>
        {
            var view = await batches.CreateAsync(Caller, p, new BatchRequest(BatchTool ?? "", Inputs: InputsJson(), Level: Level,
                SessionType: string.IsNullOrWhiteSpace(SessionType) ? null : SessionType.Trim(),
                ProcessedBy: string.IsNullOrWhiteSpace(ProcessedBy) ? null : ProcessedBy, MaxConcurrent: MaxConcurrent), Aborted);
            return WebPaths.Jobs(p);
        }, $"The batch of {BatchTool} was started.");
    }

    private JsonElement? InputsJson()
    {
        if (string.IsNullOrWhiteSpace(BatchInputs))
            return null;
        try
        {
            using var document = JsonDocument.Parse(BatchInputs);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw Archive.TesseraException.Invalid($"The inputs must be a JSON object, e.g. {{\"threshold\": 12}}: {e.Message}");
        }
    }

    public async Task<IActionResult> OnPostCancelBatchAsync(string p)
    {
        await LoadAsync(p);
        return await SubmitAsync(async () =>
        {
            await batches.CancelAsync(Caller, CancelBatchId, Aborted);
            return WebPaths.Jobs(p);
        }, "The batch's unfinished jobs were cancelled.");
    }
}
