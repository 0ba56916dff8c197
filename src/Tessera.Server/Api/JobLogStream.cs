using Microsoft.EntityFrameworkCore;
using Tessera.Archive;
using Tessera.Archive.Data;
using Tessera.Pipelines.Jobs;
using Tessera.Server.Auth;

namespace Tessera.Server.Api;

/// <summary>
/// <c>GET /api/jobs/{job}/log</c>: the job's standard output and error as text, in the order written
/// (<c>stream=stdout|stderr</c> for one, <c>attempt=N</c> for one attempt). With <c>follow=true</c> the
/// answer stays open and carries what the tool writes as it writes it, until the job ends.
/// </summary>
internal static class JobLogStream
{
    public static async Task WriteAsync(HttpContext context, JobService jobs, ArchiveDbContext db, Guid job, bool? follow, string? stream, int? attempt)
    {
        var ct = context.RequestAborted;
        await jobs.GetAsync(context.GetCaller(), job, ct);
        int? only = stream switch
        {
            null => null,
            "stdout" => 1,
            "stderr" => 2,
            _ => throw TesseraException.Invalid($"stream is stdout or stderr, not '{stream}'."),
        };
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        // Proxies must pass a followed log on as it comes.
        context.Response.Headers["X-Accel-Buffering"] = "no";
        long after = 0;
        while (true)
        {
            var chunks = await db.JobLog.AsNoTracking()
                .Where(c => c.JobId == job && c.Id > after && (only == null || c.Stream == only) && (attempt == null || c.Attempt == attempt))
                .OrderBy(c => c.Id).Take(500).ToListAsync(ct);
            foreach (var chunk in chunks)
                await context.Response.WriteAsync(chunk.Text, ct);
            if (chunks.Count > 0)
            {
                after = chunks[^1].Id;
                await context.Response.Body.FlushAsync(ct);
                if (chunks.Count == 500)
                    continue;
            }
            if (follow != true)
                return;
            var state = await db.Jobs.AsNoTracking().Where(j => j.Id == job).Select(j => j.State).FirstAsync(ct);
            if (JobStates.IsFinal(state))
            {
                // The last lines may have landed after the read above.
                if (await db.JobLog.AnyAsync(c => c.JobId == job && c.Id > after && (only == null || c.Stream == only) && (attempt == null || c.Attempt == attempt), ct))
                    continue;
                return;
            }
            try
            {
                await Task.Delay(250, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
