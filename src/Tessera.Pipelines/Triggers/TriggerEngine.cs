using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.FileSystemGlobbing;
using Tessera.Archive;
using Tessera.Archive.Access;
using Tessera.Archive.Changes;
using Tessera.Archive.Data;
using Tessera.Pipelines.Jobs;
using Tessera.Pipelines.Tools;
using Tessera.Pipelines.Tools.Boutiques;

namespace Tessera.Pipelines.Triggers;

/// <summary>
/// One pass of one rule over the change log after its cursor: which targets it fires for, and the
/// cursor to move to. The firings and the cursor's move are saved in one transaction that applies
/// only while the cursor is where this pass read it, so a change fires a rule once, however many
/// nodes evaluate it; the (rule, key) unique index stands behind that.
/// </summary>
public sealed partial class TriggerEngine(ArchiveDbContext db, AccessService access, JobService jobs, TimeProvider clock)
{
    /// <summary>Changes read per pass of a rule.</summary>
    public const int Window = 5000;

    /// <summary>How long a gap in the change log's sequence is waited for.</summary>
    public static readonly TimeSpan GapWait = TimeSpan.FromSeconds(10);

    [GeneratedRegex("^subjects/(?<subject>[^/]+)/sessions/(?<session>[^/]+)/(?:scans/(?<scan>[^/]+)/)?resources/(?<resource>[^/]+)/files/(?<path>.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex SessionFile();

    private sealed record Stored(long Sequence, DateTime At, string Subject, string Session, string? Scan, string Resource, string Path)
    {
        public string SessionPath => $"subjects/{Subject}/sessions/{Session}";
    }

    private sealed record Firing(string Key, string Target, Guid SessionId, Guid? ScanId);

    /// <summary>Evaluates the rule; returns the jobs it made.</summary>
    public async Task<int> RunAsync(TriggerRule rule, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var now = clock.GetUtcNow().UtcDateTime;
        // All projects' changes: their sequence shows the gaps that concurrent writers leave until they commit.
        var read = await db.Changes.AsNoTracking()
            .Where(c => c.Sequence > rule.Cursor)
            .OrderBy(c => c.Sequence).Take(Window)
            .Select(c => new { c.Sequence, c.At, c.Kind, c.Path, c.ProjectId }).ToListAsync(ct);
        // A gap may be a write still to commit (PostgreSQL hands out sequence numbers before commit):
        // the pass stops before it until it has lasted GapWait; then it is taken for a rolled-back write.
        var upTo = read.Count;
        var expected = rule.Cursor + 1;
        for (var i = 0; i < read.Count; i++)
        {
            if (read[i].Sequence != expected && now - read[i].At < GapWait)
            {
                upTo = i;
                break;
            }
            expected = read[i].Sequence + 1;
        }
        if (upTo == 0)
            return 0;
        var full = read.Count == Window && upTo == read.Count;
        var lastRead = read[upTo - 1].Sequence;
        var changes = read.Take(upTo).Where(c => c.ProjectId == rule.ProjectId).ToList();
        var tool = await db.Tools.AsNoTracking().FirstAsync(t => t.Id == rule.ToolId, ct);
        var stored = new List<Stored>();
        foreach (var c in changes.Where(c => c.Kind == ChangeKinds.FileStored))
        {
            var m = SessionFile().Match(c.Path);
            if (m.Success)
                stored.Add(new Stored(c.Sequence, c.At, m.Groups["subject"].Value, m.Groups["session"].Value,
                    m.Groups["scan"].Success ? m.Groups["scan"].Value : null, m.Groups["resource"].Value, m.Groups["path"].Value));
        }
        var sessions = await SessionsAsync(rule.ProjectId, stored.Select(s => (s.Subject, s.Session)).Distinct().ToList(), ct);
        bool Wanted(Stored s) => sessions.TryGetValue(s.SessionPath, out var row)
            && (rule.SessionType is null || row.Type == rule.SessionType) && SessionFilter.Matches(row.Fields, rule.SessionFields);

        var firings = new List<Firing>();
        long cursor = lastRead;
        if (rule.Event == "file")
        {
            var matcher = new Matcher(StringComparison.Ordinal);
            matcher.AddInclude(rule.FileGlob!);
            // A tool's own outputs never fire its rule again; another tool's may (to chain tools).
            var matching = stored.Where(s => s.Resource != tool.Name && Wanted(s)
                && matcher.Match((s.Scan is null ? "" : $"scans/{s.Scan}/") + $"{s.Resource}/{s.Path}").HasMatches);
            foreach (var group in matching.GroupBy(s => rule.Level == "scan" && s.Scan is not null ? $"{s.SessionPath}/scans/{s.Scan}" : s.SessionPath))
            {
                var session = sessions[group.First().SessionPath];
                Guid? scan = rule.Level == "scan" && group.First().Scan is { } label ? await ScanIdAsync(session.Id, label, ct) : null;
                if (rule.Level == "scan" && group.First().Scan is not null && scan is null)
                    continue; // deleted since
                firings.Add(new Firing($"file:{group.Key}:{group.Max(s => s.Sequence)}", group.Key, session.Id, scan));
            }
        }
        else
        {
            // Derived data (files in a resource named after a tool) does not unsettle a session.
            var toolNames = (await db.Tools.AsNoTracking().Where(t => t.ProjectId == null || t.ProjectId == rule.ProjectId).Select(t => t.Name).Distinct().ToListAsync(ct))
                .ToHashSet(StringComparer.Ordinal);
            var bySession = stored.Where(s => !toolNames.Contains(s.Resource)).GroupBy(s => s.SessionPath)
                .Select(g => new { Path = g.Key, First = g.Min(s => s.Sequence), Last = g.Max(s => s.Sequence), LastAt = g.Max(s => s.At) }).ToList();
            var unsettled = new List<long>();
            foreach (var s in bySession)
            {
                var settled = now - s.LastAt >= TimeSpan.FromSeconds(rule.QuietSeconds)
                    && (!full || !await db.Changes.AnyAsync(c => c.ProjectId == rule.ProjectId && c.Sequence > cursor && c.Path.StartsWith(s.Path + "/"), ct));
                if (!settled)
                {
                    unsettled.Add(s.First);
                    continue;
                }
                if (sessions.TryGetValue(s.Path, out var session) && Wanted(stored.First(x => x.SessionPath == s.Path)))
                    firings.Add(new Firing($"session:{session.Id}:{s.Last}", s.Path, session.Id, null));
            }
            if (unsettled.Count > 0)
                cursor = unsettled.Min() - 1; // read again next pass; what fired meanwhile is known by its key
        }
        return await SaveAsync(rule, cursor, tool, firings, ct);
    }

    private async Task<int> SaveAsync(TriggerRule rule, long cursor, Tool tool, List<Firing> firings, CancellationToken ct)
    {
        if (cursor == rule.Cursor && firings.Count == 0)
            return 0;
        var keys = firings.Select(f => f.Key).ToList();
        var known = keys.Count == 0 ? [] : (await db.TriggerFirings.AsNoTracking().Where(f => f.RuleId == rule.Id && keys.Contains(f.Key)).Select(f => f.Key).ToListAsync(ct))
            .ToHashSet(StringComparer.Ordinal);
        var fresh = firings.Where(f => !known.Contains(f.Key)).ToList();
        if (cursor == rule.Cursor && fresh.Count == 0)
            return 0; // all fired already, nothing to move: no write
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var moved = await db.TriggerRules.Where(r => r.Id == rule.Id && r.Cursor == rule.Cursor && r.Enabled)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Cursor, cursor), ct);
        if (moved == 0)
            return 0; // another node took this pass, or the rule was changed meanwhile
        var made = 0;
        if (fresh.Count > 0)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var (caller, project, skipped) = await RunnerAsync(rule, ct);
            ToolDefinition? definition = null;
            Invocation? invocation = null;
            if (skipped is null)
            {
                try
                {
                    (_, definition) = await jobs.RunnableToolAsync(caller!, project!.Slug, $"{tool.Name}@{tool.Version}", ct);
                    using var inputs = JsonDocument.Parse(rule.Inputs);
                    invocation = Invocation.Resolve(definition.Descriptor, inputs.RootElement);
                }
                catch (TesseraException e)
                {
                    skipped = e.Message;
                }
            }
            foreach (var firing in fresh)
            {
                Guid? jobId = null;
                var reason = skipped;
                if (reason is null)
                {
                    try
                    {
                        var job = jobs.NewJob(caller!, project!, tool, definition!, invocation!, new JobRequest("", "", Executor: rule.Executor),
                            firing.Target, firing.SessionId, firing.ScanId);
                        job.TriggerId = rule.Id;
                        db.Jobs.Add(job);
                        jobs.AddSubmittedEvent(job, caller!, $"trigger rule {rule.Name} ({(rule.Event == "file" ? $"file {rule.FileGlob} stored" : "session settled")}), as {caller!.Username}");
                        jobId = job.Id;
                        made++;
                    }
                    catch (TesseraException e)
                    {
                        reason = e.Message;
                    }
                }
                db.TriggerFirings.Add(new TriggerFiring { RuleId = rule.Id, Key = firing.Key, JobId = jobId, Skipped = reason, At = now });
            }
            await db.SaveChangesAsync(ct);
        }
        await tx.CommitAsync(ct);
        rule.Cursor = cursor;
        return made;
    }

    /// <summary>Who the rule's jobs run as (its author, while still allowed to run tools on the project), or why none can.</summary>
    private async Task<(Caller? Caller, Project? Project, string? Skipped)> RunnerAsync(TriggerRule rule, CancellationToken ct)
    {
        var project = await db.Projects.AsNoTracking().FirstAsync(p => p.Id == rule.ProjectId, ct);
        var user = rule.CreatedBy is { } id ? await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, ct) : null;
        if (user is null || user.IsDisabled)
            return (null, project, "the rule's author no longer exists or is disabled: save the rule again to run it as yourself");
        var caller = new Caller(user.Id, user.Username, user.IsAdmin);
        try
        {
            await access.RequireAsync(project.Slug, caller, AccessLevel.Write, ct);
        }
        catch (TesseraException)
        {
            return (null, project, $"the rule's author {user.Username} may no longer run tools on the project");
        }
        return (caller, project, null);
    }

    private sealed record SessionRow(Guid Id, string? Type, string? Fields);

    private async Task<Dictionary<string, SessionRow>> SessionsAsync(Guid project, List<(string Subject, string Session)> wanted, CancellationToken ct)
    {
        if (wanted.Count == 0)
            return [];
        var subjects = wanted.Select(w => w.Subject).Distinct().ToList();
        var rows = await (
            from s in db.Sessions.AsNoTracking()
            join sub in db.Subjects.AsNoTracking() on s.SubjectId equals sub.Id
            where s.ProjectId == project && subjects.Contains(sub.Label)
            select new { Subject = sub.Label, Session = s.Label, s.Id, s.Type, s.Fields }).ToListAsync(ct);
        var set = wanted.ToHashSet();
        return rows.Where(r => set.Contains((r.Subject, r.Session)))
            .ToDictionary(r => $"subjects/{r.Subject}/sessions/{r.Session}", r => new SessionRow(r.Id, r.Type, r.Fields), StringComparer.Ordinal);
    }

    private Task<Guid?> ScanIdAsync(Guid session, string label, CancellationToken ct) =>
        db.Scans.AsNoTracking().Where(s => s.SessionId == session && s.Label == label).Select(s => (Guid?)s.Id).FirstOrDefaultAsync(ct);
}
