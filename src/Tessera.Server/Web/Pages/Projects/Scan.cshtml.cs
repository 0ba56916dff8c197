using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Archive.Dicom.Query;
using Tessera.Archive.Files;
using Tessera.Archive.Hierarchy;
using Microsoft.AspNetCore.Mvc;
using Tessera.Pipelines.Jobs;
using Tessera.Pipelines.Tools;
using Tessera.Server.Auth;

namespace Tessera.Server.Web.Pages.Projects;

[Access(AccessRule.ProjectRead)]
public sealed class ScanModel(
    AccessService accessService, HierarchyService hierarchy, FileService files, DicomQueryService dicom, ToolService tools, JobService jobs) : TesseraPageModel
{
    public RunToolArea? RunTool { get; private set; }

    public IReadOnlyList<JobView> Jobs { get; private set; } = [];

    [BindProperty(Name = "RunTool")]
    public string? ToolKey { get; set; }

    [BindProperty]
    public int? RunTimeout { get; set; }

    /// <summary>The run dialog: a job of the chosen tool on this scan; its page follows it.</summary>
    public async Task<IActionResult> OnPostRunAsync(string p, string s, string e, string n)
    {
        await OnGetAsync(p, s, e, n, null);
        return await SubmitAsync(() => RunToolForm.SubmitAsync(jobs, Caller, p, RunTool!, Request.Form, ToolKey, RunTimeout, Aborted), $"{ToolKey} was submitted.");
    }

    public string Project { get; private set; } = "";

    public string OwnerPath { get; private set; } = "";

    public Scan Scan { get; private set; } = null!;

    public List<(ResourceSummary Resource, Page<StoredFile> Files)> Files { get; } = [];

    public CustomFieldColumns Columns { get; private set; } = null!;

    /// <summary>The DICOM series the scan holds, if any, and the header of the chosen instance.</summary>
    public ScanSeries? Series { get; private set; }

    public SeriesInstance? Shown { get; private set; }

    public List<DicomHeaderRow> Header { get; private set; } = [];

    public string? HeaderError { get; private set; }

    /// <summary>What the viewer shows: the series' instances in order, else the scan's image files.</summary>
    public IReadOnlyList<ViewerImage> Images { get; private set; } = [];

    /// <summary>The series' planes: every frame of its instances (beyond the 1,000 listed, one per instance).</summary>
    private static int Frames(Archive.Dicom.Query.ScanSeries series) =>
        Math.Max(1, series.Instances.Sum(i => Math.Max(1, i.Frames)) + Math.Max(0, series.Total - series.Instances.Count));

    public async Task OnGetAsync(string p, string s, string e, string n, string? instance)
    {
        var access = await accessService.RequireAsync(p, Caller, AccessLevel.Read, Aborted);
        Project = p;
        Scan = await hierarchy.GetScanAsync(access, s, e, n, Aborted);
        Title = $"Scan {n}";
        AddProjectCrumbs(p, s, e, n);
        var owner = new FileOwner(s, e, n);
        OwnerPath = owner.Path;
        foreach (var resource in await files.ListResourcesAsync(access, owner, Aborted))
        {
            Files.Add((resource, await files.ListFilesAsync(access, owner, resource.Label, new Paging(0, Paging.MaximumLimit), Aborted)));
        }
        Columns = CustomFieldColumns.FromSchema(access.Project.ScanSchema);
        Jobs = (await jobs.ListAsync(Caller, p, null, null, owner.Path, new Paging(0, 20), Aborted)).Items;
        if (access.CanWrite)
            RunTool = await RunToolForm.LoadAsync(tools, Caller, p, owner.Path, Aborted);
        Series = await dicom.SeriesOfScanAsync(access, Scan.Id, Aborted);
        // A DICOM series is one image, served as a stack (a whole-slide series as its pyramid).
        Images = Series is { Instances.Count: > 0 } stack
            ? [new ViewerImage(stack.Id, $"Series {stack.Description ?? stack.Modality ?? ""}".TrimEnd(), stack.WholeSlide ? 1 : Frames(stack))]
            : Files.SelectMany(f => f.Files.Items).Where(f => Imaging.ImageFormats.LooksShowable(f.Path, f.MediaType)).Select(f => new ViewerImage(f.Id, f.Path, 1)).ToList();
        Shown = Series?.Instances.FirstOrDefault(i => i.SopInstanceUid == instance) ?? (Series is { Instances.Count: > 0 } ? Series.Instances[0] : null);
        if (Shown is not null)
        {
            try
            {
                Header = DicomHeaderRows.From((await dicom.ReadHeaderAsync(Shown.FileKey, Aborted)).Dataset);
            }
            catch (Tessera.Dicom.DicomException x)
            {
                HeaderError = x.Message;
            }
        }
    }
}

/// <summary>One image of the scan viewer's stack: its id (the file's, or the series'), a label, and how many frames it holds.</summary>
public sealed record ViewerImage(Guid Id, string Label, int Frames);
