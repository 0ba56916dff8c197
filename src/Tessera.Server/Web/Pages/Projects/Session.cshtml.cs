using Microsoft.AspNetCore.Mvc;
using Tessera.Archive.Access;
using Tessera.Archive.Changes;
using Tessera.Archive.Data;
using Tessera.Archive.Dicom.Media;
using Tessera.Archive.Files;
using Tessera.Archive.Hierarchy;
using Tessera.Pipelines.Jobs;
using Tessera.Pipelines.Tools;
using Tessera.Server.Auth;

namespace Tessera.Server.Web.Pages.Projects;

[Access(AccessRule.ProjectRead)]
public sealed class SessionModel(
    AccessService accessService, HierarchyService hierarchy, FileService files, HistoryService history, ToolService tools, JobService jobs,
    DicomMediaService media)
    : TesseraPageModel
{
    public string Project { get; private set; } = "";

    public string SubjectLabel { get; private set; } = "";

    public string SessionPath { get; private set; } = "";

    public Session Session { get; private set; } = null!;

    public Page<Scan> Scans { get; private set; } = null!;

    public IReadOnlyDictionary<Guid, (int Files, long Bytes)> Totals { get; private set; } = null!;

    public ResourceList Resources { get; private set; } = null!;

    public IReadOnlyList<Change> History { get; private set; } = [];

    public CustomFieldColumns Columns { get; private set; } = null!;

    public bool CanWrite { get; private set; }

    /// <summary>The scans that hold DICOM instances: the session and they offer DICOM media.</summary>
    public IReadOnlySet<Guid> DicomScans { get; private set; } = new HashSet<Guid>();

    /// <summary>The scans that get a thumbnail (see <see cref="ShownScansAsync"/>).</summary>
    public IReadOnlySet<Guid> ShownScans { get; private set; } = new HashSet<Guid>();

    public RunToolArea? RunTool { get; private set; }

    public IReadOnlyList<JobView> Jobs { get; private set; } = [];

    [BindProperty(Name = "RunTool")]
    public string? ToolKey { get; set; }

    [BindProperty]
    public int? RunTimeout { get; set; }

    public IReadOnlyList<FieldInput> FieldInputs { get; private set; } = [];

    [BindProperty]
    public string? Description { get; set; }

    [BindProperty]
    public string? Type { get; set; }

    [BindProperty]
    public DateOnly? Date { get; set; }

    public async Task OnGetAsync(string p, string s, string e)
    {
        await LoadAsync(p, s, e);
        Description = Session.Description;
        Type = Session.Type;
        Date = Session.Date;
    }

    /// <summary>Saves the session's description, type, date and custom fields (all of them: the form shows all).</summary>
    public async Task<IActionResult> OnPostEditAsync(string p, string s, string e)
    {
        var access = await LoadAsync(p, s, e);
        FieldInputs = FieldEditor.Inputs(access.Project.SessionSchema, Request.Form);
        return await SubmitAsync(async () =>
        {
            var write = new EntityWrite
            {
                Description = Description ?? "",
                Type = string.IsNullOrWhiteSpace(Type) ? null : Type.Trim(),
                Date = Date,
                Fields = FieldEditor.Read(access.Project.SessionSchema, Request.Form),
            };
            await hierarchy.PutSessionAsync(access, s, e, write, Aborted);
            return WebPaths.Session(p, s, e);
        }, "The session was saved.");
    }

    /// <summary>The run dialog: a job of the chosen tool on this session; its page follows it.</summary>
    public async Task<IActionResult> OnPostRunAsync(string p, string s, string e)
    {
        await LoadAsync(p, s, e);
        return await SubmitAsync(() => RunToolForm.SubmitAsync(jobs, Caller, p, RunTool!, Request.Form, ToolKey, RunTimeout, Aborted), $"{ToolKey} was submitted.");
    }

    /// <summary>
    /// The scans whose row shows a thumbnail: those with DICOM instances or a file that looks like an image (a scan of
    /// other files gets none, rather than an image request answered 404). Past the first 5,000 files every scan may.
    /// </summary>
    private async Task<IReadOnlySet<Guid>> ShownScansAsync(CancellationToken ct)
    {
        const int Limit = 5000;
        var others = await files.ScanFilesAsync(Session.Id, DicomScans, Limit, ct);
        if (others.Count >= Limit)
            return Scans.Items.Select(s => s.Id).ToHashSet();
        return DicomScans.Concat(others.Where(f => Imaging.ImageFormats.LooksShowable(f.Path, f.MediaType)).Select(f => f.ScanId)).ToHashSet();
    }

    private async Task<ProjectAccess> LoadAsync(string p, string s, string e)
    {
        var access = await accessService.RequireAsync(p, Caller, AccessLevel.Read, Aborted);
        Project = p;
        SubjectLabel = s;
        CanWrite = access.CanWrite;
        Session = await hierarchy.GetSessionAsync(access, s, e, Aborted);
        Title = $"Session {e}";
        AddProjectCrumbs(p, s, e);
        Scans = await hierarchy.ListScansAsync(access, s, e, new Paging(0, Paging.MaximumLimit), Aborted);
        Totals = await files.TotalsByScanAsync(Session.Id, Aborted);
        DicomScans = await media.ScansWithInstancesAsync(Session.Id, Aborted);
        ShownScans = await ShownScansAsync(Aborted);
        var owner = new FileOwner(s, e);
        Resources = new ResourceList(p, owner.Path, await files.ListResourcesAsync(access, owner, Aborted));
        SessionPath = owner.Path;
        History = await history.ListAsync(access, owner.Path, 50, Aborted);
        Columns = CustomFieldColumns.FromSchema(access.Project.SessionSchema);
        FieldInputs = FieldEditor.Inputs(access.Project.SessionSchema, Session.Fields);
        Jobs = (await jobs.ListAsync(Caller, p, null, null, owner.Path, new Paging(0, 20), Aborted)).Items;
        if (CanWrite)
            RunTool = await RunToolForm.LoadAsync(tools, Caller, p, owner.Path, Aborted);
        return access;
    }
}
