using Microsoft.EntityFrameworkCore;
using Tessera.Archive;
using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Pipelines.Tools.Boutiques;

namespace Tessera.Pipelines.Tools;

/// <summary>
/// The tool registry: immutable versions (<c>name@version</c>) of Boutiques descriptors, site-wide
/// (registered by admins) or for one project (registered by its owners, seen by its readers).
/// </summary>
public sealed class ToolService(ArchiveDbContext db, AccessService access, TimeProvider clock)
{
    public async Task<Tool> RegisterAsync(Caller caller, string descriptorJson, string? project, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        Guid? projectId = null;
        if (project is not null)
        {
            // A private project stays hidden from strangers: its check comes before any other.
            projectId = (await access.RequireAsync(project, caller, AccessLevel.Manage, ct)).Project.Id;
        }
        caller.RequireUserId();
        if (project is null && !caller.IsAdmin)
        {
            throw TesseraException.Forbidden("Only administrators register site-wide tools; a project's owners register its own (POST /api/projects/{p}/tools).");
        }
        var definition = await DescriptorReader.ReadAsync(descriptorJson);
        if (definition.AssessmentType is { } type && !await db.AssessmentTypes.AnyAsync(t => t.Name == type, ct))
        {
            throw TesseraException.Invalid($"The descriptor fills in assessment type '{type}', which does not exist (PUT /api/assessment-types/{type} first).");
        }
        if (await db.Tools.AnyAsync(t => t.Name == definition.Name && t.Version == definition.Version, ct))
        {
            throw TesseraException.Conflict($"Tool {definition.Key} is registered already; a version never changes — register a new tool-version.");
        }
        var tool = new Tool
        {
            Id = Guid.CreateVersion7(),
            Name = definition.Name,
            Version = definition.Version,
            ProjectId = projectId,
            Descriptor = descriptorJson,
            Description = definition.Descriptor.Description,
            AssessmentType = definition.AssessmentType,
            ContainerImage = definition.Descriptor.Container?.Image,
            CreatedBy = caller.UserId,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.Tools.Add(tool);
        await db.SaveChangesAsync(ct);
        return tool;
    }

    /// <summary>The tools the caller may see: site-wide ones and those of projects they read; with a project, the tools it may run.</summary>
    public async Task<IReadOnlyList<(Tool Tool, string? Project)>> ListAsync(Caller caller, string? project, bool includeDeprecated, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var readable = access.Readable(caller).Select(p => p.Id);
        var query = db.Tools.AsNoTracking().Where(t => t.ProjectId == null || readable.Contains(t.ProjectId.Value));
        if (project is not null)
        {
            var id = (await access.RequireAsync(project, caller, AccessLevel.Read, ct)).Project.Id;
            query = query.Where(t => t.ProjectId == null || t.ProjectId == id);
        }
        if (!includeDeprecated)
        {
            query = query.Where(t => !t.Deprecated);
        }
        var rows = await query
            .Select(t => new { Tool = t, Project = db.Projects.Where(p => p.Id == t.ProjectId).Select(p => p.Slug).FirstOrDefault() })
            .ToListAsync(ct);
        return rows.OrderBy(r => r.Tool.Name, StringComparer.Ordinal).ThenByDescending(r => r.Tool.CreatedAt)
            .Select(r => (r.Tool, r.Project)).ToList();
    }

    /// <summary>A tool version the caller may see, by <c>name@version</c>; a project's tool is missing to outsiders.</summary>
    public async Task<(Tool Tool, string? Project)> GetAsync(Caller caller, string key, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var (name, version) = ToolNames.Parse(key);
        var readable = access.Readable(caller).Select(p => p.Id);
        var found = await db.Tools.AsNoTracking()
            .Where(t => t.Name == name && t.Version == version && (t.ProjectId == null || readable.Contains(t.ProjectId.Value)))
            .Select(t => new { Tool = t, Project = db.Projects.Where(p => p.Id == t.ProjectId).Select(p => p.Slug).FirstOrDefault() })
            .FirstOrDefaultAsync(ct);
        return found is null ? throw TesseraException.NotFound($"Tool {key}") : (found.Tool, found.Project);
    }

    /// <summary>Marks a version deprecated (or no longer): it stays, and its jobs and results with it, but new runs are refused.</summary>
    /// <param name="inProject">The project the request names (a project's own tools); null for the site's.</param>
    public async Task<Tool> DeprecateAsync(Caller caller, string key, string? inProject, bool deprecated, string? note, CancellationToken ct)
    {
        var (tool, project) = await GetAsync(caller, key, ct);
        if (project != inProject)
        {
            throw TesseraException.NotFound($"Tool {key}{(inProject is null ? "" : $" of project '{inProject}'")}");
        }
        if (project is not null)
        {
            await access.RequireAsync(project, caller, AccessLevel.Manage, ct);
        }
        else if (!caller.IsAdmin)
        {
            throw TesseraException.Forbidden("Only administrators deprecate site-wide tools.");
        }
        if (note is { Length: > 1024 })
        {
            throw TesseraException.Invalid("A deprecation note has at most 1024 characters.");
        }
        await db.Tools.Where(t => t.Id == tool.Id).ExecuteUpdateAsync(s => s
            .SetProperty(t => t.Deprecated, deprecated)
            .SetProperty(t => t.DeprecationNote, deprecated ? note : null), ct);
        tool.Deprecated = deprecated;
        tool.DeprecationNote = deprecated ? note : null;
        return tool;
    }
}
