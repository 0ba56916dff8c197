using Microsoft.AspNetCore.Mvc;
using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Archive.Dicom.Query;
using Tessera.Archive.Hierarchy;
using Tessera.Server.Auth;

namespace Tessera.Server.Web.Pages.Projects;

[Access(AccessRule.ProjectRead)]
public sealed class ProjectModel(AccessService accessService, HierarchyService hierarchy, DicomQueryService dicom) : TesseraPageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Q { get; set; }

    [BindProperty(SupportsGet = true, Name = "sort")]
    public string Sort { get; set; } = "label";

    [BindProperty(SupportsGet = true, Name = "desc")]
    public bool Desc { get; set; }

    [BindProperty(SupportsGet = true, Name = "page")]
    public int PageNumber { get; set; } = 1;

    public ProjectAccess Access { get; private set; } = null!;

    public Page<Subject> Subjects { get; private set; } = null!;

    public CustomFieldColumns Columns { get; private set; } = null!;

    public Pager Pager { get; private set; } = null!;

    /// <summary>The DICOM columns of the page's subjects (shown when chosen in the column chooser), from one query.</summary>
    public IReadOnlyDictionary<Guid, SubjectDicomSummary> Dicom { get; private set; } = new Dictionary<Guid, SubjectDicomSummary>();

    /// <summary>The optional columns: the chooser's key and label.</summary>
    public static IReadOnlyList<(string Key, string Label)> OptionalColumns { get; } =
        [("patient", "Patient name"), ("sex", "Sex"), ("age", "Age"), ("sessions", "Sessions"), ("modalities", "Modalities")];

    public async Task OnGetAsync(string p)
    {
        Access = await accessService.RequireAsync(p, Caller, AccessLevel.Read, Aborted);
        Title = Access.Project.Name;
        AddProjectCrumbs(p);
        var sort = Sort switch { "created" => SubjectSort.Created, "updated" => SubjectSort.Updated, _ => SubjectSort.Label };
        PageNumber = Math.Max(1, PageNumber);
        Subjects = await hierarchy.ListSubjectsAsync(
            Access, new Paging((PageNumber - 1) * PageSize, PageSize), new SubjectQuery(Q, sort, Desc), Aborted);
        Columns = CustomFieldColumns.FromSchema(Access.Project.SubjectSchema);
        Dicom = await dicom.SubjectSummariesAsync(Access, Subjects.Items.Select(s => s.Id).ToList(), Aborted);
        Pager = new Pager(PageNumber, PageSize, Subjects.Total, Request.Query);
    }
}
