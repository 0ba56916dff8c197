using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.Archive.Data;
using Tessera.Pipelines.Jobs;

namespace Tessera.Pipelines.Triggers;

/// <summary>
/// Evaluates every enabled trigger rule against the change log a few times a second. Any number of
/// nodes may do so at once: each pass of a rule commits only if no other node moved its cursor first.
/// </summary>
public sealed partial class TriggerDispatcher(IServiceScopeFactory scopes, JobSignal signal, IOptions<PipelineOptions> options, ILogger<TriggerDispatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunTriggers)
            return;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.TriggerPollMilliseconds));
        do
        {
            try
            {
                await PassAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested && e is not OutOfMemoryException)
            {
                LogPassFailed(e);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// One pass over every enabled rule: each reads the change log from its cursor to now and fires what is due.
    /// The background loop runs it a few times a second; tests run it to know that the log has been read. Returns how
    /// many jobs it made.
    /// </summary>
    public async Task<int> PassAsync(CancellationToken ct)
    {
        List<Guid> rules;
        await using (var scope = scopes.CreateAsyncScope())
            rules = await scope.ServiceProvider.GetRequiredService<ArchiveDbContext>().TriggerRules.AsNoTracking().Where(r => r.Enabled).Select(r => r.Id).ToListAsync(ct);
        var made = 0;
        foreach (var id in rules)
        {
            // A scope per rule: one rule's failure leaves nothing behind for the next.
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ArchiveDbContext>();
            var rule = await db.TriggerRules.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id && r.Enabled, ct);
            if (rule is null)
                continue;
            try
            {
                made += await scope.ServiceProvider.GetRequiredService<TriggerEngine>().RunAsync(rule, ct);
            }
            catch (DbUpdateException e)
            {
                LogRuleFailed(e, rule.Name); // e.g. the same firing saved by another node: the next pass reads on
            }
        }
        if (made > 0)
            signal.Wake();
        return made;
    }

    [LoggerMessage(EventId = 1409, Level = LogLevel.Error, Message = "A pass over the trigger rules failed")]
    private partial void LogPassFailed(Exception exception);

    [LoggerMessage(EventId = 1410, Level = LogLevel.Warning, Message = "Trigger rule {Rule} could not save its pass")]
    private partial void LogRuleFailed(Exception exception, string rule);
}
