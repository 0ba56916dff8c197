using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Archive.Access;
using Tessera.Archive.CustomFields;
using Tessera.Archive.Data;
using Tessera.Archive.Dicom;
using Tessera.Archive.Hierarchy;

namespace Tessera.Archive.Projects;

public sealed class ProjectService(
    ArchiveDbContext db,
    AccessService access,
    CustomFieldValidator validator,
    IOptions<AccessOptions> options,
    TimeProvider clock)
{
    /// <summary>Projects the caller may read: their own, public ones, or every project for an admin.</summary>
    public async Task<Page<(Project Project, ProjectRole Role)>> ListAsync(Caller caller, Paging paging, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var userId = caller.UserId ?? Guid.Empty;
        var query = db.Projects.AsNoTracking()
            .Where(p => caller.TokenProjectId == null || p.Id == caller.TokenProjectId)
            .Select(p => new
            {
                Project = p,
                Role = p.Members.Where(m => m.UserId == userId).Select(m => (ProjectRole?)m.Role).FirstOrDefault(),
            })
            .Where(x => caller.IsAdmin || x.Project.IsPublic || x.Role != null)
            .OrderBy(x => x.Project.Slug);
        var page = await paging.ApplyAsync(query, ct);
        return new Page<(Project, ProjectRole)>(
            page.Items.Select(x => (x.Project, x.Role ?? ProjectRole.None)).ToList(), page.Total, page.Offset, page.Limit);
    }

    public async Task<Project> CreateAsync(Caller caller, string slug, string? name, string? description, bool isPublic, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var userId = caller.RequireUserId();
        if (caller.TokenProjectId is not null)
        {
            throw TesseraException.Forbidden("A project-scoped token cannot create projects.");
        }
        if (options.Value.ProjectCreation == ProjectCreation.Admins && !caller.IsAdmin)
        {
            throw TesseraException.Forbidden("On this site only administrators create projects.");
        }
        Labels.Validate(slug, "project id");
        ValidateName(name ?? slug);
        // Ids differ by more than case: `Glioma` beside `glioma` is a trap for whoever types or reads one.
        var folded = slug.ToLowerInvariant();
#pragma warning disable CA1862 // translated to SQL lower(), on SQLite and PostgreSQL alike (ids are ASCII)
        if (await db.Projects.AnyAsync(p => p.Slug.ToLower() == folded, ct))
#pragma warning restore CA1862
            throw TesseraException.Conflict($"A project with id '{slug}' already exists (ids are compared without case).");
        var now = clock.GetUtcNow().UtcDateTime;
        var project = new Project
        {
            Id = Guid.CreateVersion7(),
            Slug = slug,
            Name = name ?? slug,
            Description = description,
            IsPublic = isPublic,
            CreatedAt = now,
            UpdatedAt = now,
        };
        project.Members.Add(new ProjectMember { ProjectId = project.Id, UserId = userId, Role = ProjectRole.Owner, CreatedAt = now });
        db.Projects.Add(project);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (DatabaseErrors.IsUniqueViolation(e))
        {
            throw TesseraException.Conflict($"A project with id '{slug}' already exists.");
        }
        return project;
    }

    /// <param name="dicom">Turns the current DICOM settings into the new ones, when they change.</param>
    public async Task<Project> UpdateAsync(
        Caller caller, string slug, string? name, string? description, bool? isPublic, CancellationToken ct,
        Func<ProjectDicomSettings, ProjectDicomSettings>? dicom = null)
    {
        var cleared = await access.RequireAsync(slug, caller, AccessLevel.Manage, ct);
        var project = await db.Projects.FirstAsync(p => p.Id == cleared.Project.Id, ct);
        if (name is not null)
        {
            ValidateName(name);
            project.Name = name;
        }
        project.Description = description ?? project.Description;
        project.IsPublic = isPublic ?? project.IsPublic;
        var forget = false;
        if (dicom is not null)
        {
            var before = ProjectDicomSettings.Parse(project.DicomSettings);
            var settings = dicom(before).WithKeys();
            settings.Validate(project.Slug);
            // Switching the mapping off deletes the originals; switching de-identification off keeps them with its key.
            forget = before.Deidentification is { KeepMapping: true } && settings.Deidentification is not { KeepMapping: true };
            project.DicomSettings = settings.Serialize();
            project.DicomAeTitle = string.IsNullOrWhiteSpace(settings.AeTitle) ? null : settings.AeTitle.Trim();
            if (project.DicomAeTitle is { } ae && await db.Projects.AnyAsync(p => p.DicomAeTitle == ae && p.Id != project.Id, ct))
                throw TesseraException.Conflict($"The AE title '{ae}' is already the called AE title of another project.");
        }
        project.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        // After the settings are saved: an import that makes a pseudonym from now on reads that the mapping is off.
        if (forget)
            await PseudonymService.ForgetOriginalsAsync(db, project.Id, ct);
        return project;
    }

    public async Task DeleteAsync(Caller caller, string slug, CancellationToken ct)
    {
        var cleared = await access.RequireAsync(slug, caller, AccessLevel.Manage, ct);
        // Cascades remove the hierarchy and file records; blobs are left to the sweeper.
        await db.Projects.Where(p => p.Id == cleared.Project.Id).ExecuteDeleteAsync(ct);
    }

    public async Task<string?> GetSchemaAsync(Caller caller, string slug, EntityType type, CancellationToken ct)
    {
        var cleared = await access.RequireAsync(slug, caller, AccessLevel.Read, ct);
        return SchemaOf(cleared.Project, type);
    }

    /// <summary>Sets (or, with a JSON null, removes) the custom-field schema for one entity type.</summary>
    public async Task<string?> SetSchemaAsync(Caller caller, string slug, EntityType type, JsonElement schema, CancellationToken ct)
    {
        var cleared = await access.RequireAsync(slug, caller, AccessLevel.Manage, ct);
        var text = schema.ValueKind == JsonValueKind.Null ? null : await validator.ParseSchemaAsync(schema);
        var project = await db.Projects.FirstAsync(p => p.Id == cleared.Project.Id, ct);
        switch (type)
        {
            case EntityType.Subject: project.SubjectSchema = text; break;
            case EntityType.Session: project.SessionSchema = text; break;
            default: project.ScanSchema = text; break;
        }
        project.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        return text;
    }

    public static string? SchemaOf(Project project, EntityType type) => type switch
    {
        EntityType.Subject => project?.SubjectSchema,
        EntityType.Session => project?.SessionSchema,
        _ => project?.ScanSchema,
    };

    private static void ValidateName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 256 || name.Any(char.IsControl))
        {
            throw TesseraException.Invalid("A project name must be 1 to 256 printable characters.");
        }
    }
}
