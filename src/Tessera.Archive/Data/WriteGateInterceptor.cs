using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Tessera.Archive.Data;

/// <summary>
/// Passes every SaveChanges through the <see cref="WriteGate"/>, so that writers of any feature queue
/// in the process instead of colliding on SQLite's lock (where the loser sleeps in SQLite's busy
/// handler for milliseconds at a time). A save inside an explicit transaction is left alone: the
/// transaction may already hold the database's lock, and waiting for the gate then could deadlock.
/// </summary>
internal sealed class WriteGateInterceptor(WriteGate gate) : SaveChangesInterceptor
{
    /// <summary>The gate held by the save in progress on this context, if any.</summary>
    private readonly ConditionalWeakTable<DbContext, IDisposable> _held = [];

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (eventData.Context is { Database.CurrentTransaction: null } context)
            _held.AddOrUpdate(context, await gate.EnterAsync(cancellationToken));
        return result;
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (eventData.Context is { Database.CurrentTransaction: null } context)
            _held.AddOrUpdate(context, gate.Enter());
        return result;
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Leave(eventData);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Leave(eventData);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Leave(eventData);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Leave(eventData);
        return Task.CompletedTask;
    }

    public override void SaveChangesCanceled(DbContextEventData eventData) => Leave(eventData);

    public override Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default)
    {
        Leave(eventData);
        return Task.CompletedTask;
    }

    private void Leave(DbContextEventData eventData)
    {
        if (eventData?.Context is { } context && _held.TryGetValue(context, out var held))
        {
            _held.Remove(context);
            held.Dispose();
        }
    }
}
