using Microsoft.EntityFrameworkCore;
using Tessera.Archive;
using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Pipelines.Executors;
using Tessera.Pipelines.Jobs;
using Tessera.Pipelines.Tools.Boutiques;

namespace Tessera.Pipelines.Triggers;

/// <summary>
/// A project's trigger rules: written by its owners, seen by its readers. A rule acts on what is
/// stored after it is saved (what is already there is for a batch run); its jobs run as the owner who saved it.
/// </summary>
public sealed class TriggerService(ArchiveDbContext db, AccessService access, JobService jobs, ExecutorCatalog executors, TimeProvider clock)
{
    public const int DefaultQuietSeconds = 30;

    public async Task<IReadOnlyList<TriggerView>> ListAsync(Caller caller, string project, CancellationToken ct)
    {
        var projectAccess = await access.RequireAsync(project, caller, AccessLevel.Read, ct);
        var rows = await (
            from r in db.TriggerRules.AsNoTracking()
            join t in db.Tools.AsNoTracking() on r.ToolId equals t.Id
            where r.ProjectId == projectAccess.Project.Id
            orderby r.Name
            select new
            {
                Rule = r,
                Tool = t.Name + "@" + t.Version,
                Fired = db.TriggerFirings.Count(f => f.RuleId == r.Id && f.JobId != null),
                Last = db.TriggerFirings.Where(f => f.RuleId == r.Id).Max(f => (DateTime?)f.At),
            }).ToListAsync(ct);
        return rows.Select(x => new TriggerView(x.Rule, project, x.Tool, x.Fired, x.Last)).ToList();
    }

    public async Task<TriggerView> GetAsync(Caller caller, string project, string name, CancellationToken ct) =>
        (await ListAsync(caller, project, ct)).FirstOrDefault(v => v.Rule.Name == name) ?? throw TesseraException.NotFound($"Trigger rule {name}");

    /// <summary>Creates or replaces the rule <paramref name="name"/>; true when it is new.</summary>
    public async Task<(TriggerView View, bool Created)> PutAsync(Caller caller, string project, string name, TriggerRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var projectAccess = await access.RequireAsync(project, caller, AccessLevel.Manage, ct);
        if (!Tools.ToolNames.IsValid(name))
            throw TesseraException.Invalid($"A rule's name is 1 to 64 letters, digits, '.', '_' or '-', not '{name}'.");
        var (tool, definition) = await jobs.RunnableToolAsync(caller, project, request.Tool, ct);
        Invocation.Resolve(definition.Descriptor, request.Inputs); // the inputs must be valid now, not only when it fires
        var kind = request.Event;
        if (kind is not ("session" or "file"))
            throw TesseraException.Invalid($"event is session (its files have settled) or file (a file matching glob is stored), not '{kind}'.");
        var level = request.Level ?? "session";
        if (level is not ("session" or "scan") || level == "scan" && kind == "session")
            throw TesseraException.Invalid("level is session, or scan for file rules (the scan of the file).");
        if (kind == "file" && string.IsNullOrWhiteSpace(request.Glob))
            throw TesseraException.Invalid("A file rule needs a glob over the file's path in the session, e.g. scans/*/DICOM/*.dcm or **/*.nii.gz.");
        var quiet = request.QuietSeconds ?? DefaultQuietSeconds;
        if (quiet is < 0 or > 7 * 24 * 3600)
            throw TesseraException.Invalid($"quietSeconds must be from 0 to {7 * 24 * 3600}, not {quiet}.");
        if (request.Executor is { } executor && !executors.Has(executor))
            throw TesseraException.Invalid($"There is no executor '{executor}' on this site (it has {string.Join(", ", executors.Names)}).");
        var fields = SessionFilter.Normalize(request.Fields);
        var now = clock.GetUtcNow().UtcDateTime;
        var rule = await db.TriggerRules.FirstOrDefaultAsync(r => r.ProjectId == projectAccess.Project.Id && r.Name == name, ct);
        var created = rule is null;
        if (rule is null)
        {
            rule = new TriggerRule
            {
                Id = Guid.CreateVersion7(), ProjectId = projectAccess.Project.Id, Name = name, Event = kind, Level = level, Inputs = "{}", CreatedAt = now,
                // From now on: what is stored already is not a change it should fire on.
                Cursor = await db.Changes.MaxAsync(c => (long?)c.Sequence, ct) ?? 0,
            };
            db.TriggerRules.Add(rule);
        }
        rule.ToolId = tool.Id;
        rule.Event = kind;
        rule.Level = level;
        rule.QuietSeconds = quiet;
        rule.FileGlob = kind == "file" ? request.Glob!.Trim().TrimStart('/') : null;
        rule.SessionType = string.IsNullOrWhiteSpace(request.SessionType) ? null : request.SessionType;
        rule.SessionFields = fields;
        rule.Inputs = request.Inputs is { } inputs ? inputs.GetRawText() : "{}";
        rule.Executor = request.Executor;
        rule.Enabled = request.Enabled ?? true;
        rule.CreatedBy = caller.UserId;
        rule.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        return (await GetAsync(caller, project, name, ct), created);
    }

    public async Task DeleteAsync(Caller caller, string project, string name, CancellationToken ct)
    {
        var projectAccess = await access.RequireAsync(project, caller, AccessLevel.Manage, ct);
        var deleted = await db.TriggerRules.Where(r => r.ProjectId == projectAccess.Project.Id && r.Name == name).ExecuteDeleteAsync(ct);
        if (deleted == 0)
            throw TesseraException.NotFound($"Trigger rule {name}");
    }

    /// <summary>The rule's latest firings, newest first.</summary>
    public async Task<IReadOnlyList<TriggerFiring>> FiringsAsync(Caller caller, string project, string name, int limit, CancellationToken ct)
    {
        var rule = (await GetAsync(caller, project, name, ct)).Rule;
        return await db.TriggerFirings.AsNoTracking().Where(f => f.RuleId == rule.Id).OrderByDescending(f => f.Id).Take(Math.Clamp(limit, 1, 1000)).ToListAsync(ct);
    }
}
