using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Tessera.Archive.Data;

/// <summary>
/// Passes every write to an embedded SQLite database through the <see cref="WriteGate"/>, whatever issues it:
/// a transaction holds the gate from its start to its commit or rollback (or until its connection closes, when it
/// is disposed unfinished), and a writing statement outside a transaction (an <c>INSERT</c>, <c>UPDATE</c> or
/// <c>DELETE</c> of SaveChanges, ExecuteUpdate, ExecuteDelete or ExecuteSql) holds it while it runs. Statements
/// inside a transaction run under its hold; reads outside one pass freely (WAL lets them run beside the writer).
/// Writers of every feature thus queue in the process instead of colliding on SQLite's lock. Registered only for
/// SQLite: PostgreSQL has no gate.
/// </summary>
internal sealed class WriteGateInterceptor(WriteGate gate) : IDbTransactionInterceptor, IDbCommandInterceptor, IDbConnectionInterceptor
{
    /// <summary>What a context (its connection) holds: the gate, and whether for a transaction or for one statement.</summary>
    private sealed class Hold(IDisposable gate, bool transaction)
    {
        public IDisposable Gate { get; } = gate;

        public bool ForTransaction { get; } = transaction;
    }

    private readonly ConditionalWeakTable<DbContext, Hold> _held = [];

    // Transactions: from the start to the end.

    public InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        if (eventData.Context is { } context && !_held.TryGetValue(context, out _))
            _held.AddOrUpdate(context, new Hold(gate.Enter(), transaction: true));
        return result;
    }

    public async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(
        DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context && !_held.TryGetValue(context, out _))
            _held.AddOrUpdate(context, new Hold(await gate.EnterAsync(cancellationToken), transaction: true));
        return result;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Leave(eventData.Context, transaction: true);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Leave(eventData.Context, transaction: true);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Leave(eventData.Context, transaction: true);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Leave(eventData.Context, transaction: true);
        return Task.CompletedTask;
    }

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Leave(eventData.Context, transaction: true);

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Leave(eventData.Context, transaction: true);
        return Task.CompletedTask;
    }

    // A transaction disposed without commit or rollback ends when its connection closes (SQLite rolls it back).

    public void ConnectionClosed(DbConnection connection, ConnectionEndEventData eventData) => Leave(eventData.Context, transaction: true);

    public Task ConnectionClosedAsync(DbConnection connection, ConnectionEndEventData eventData)
    {
        Leave(eventData.Context, transaction: true);
        return Task.CompletedTask;
    }

    // Writing statements outside a transaction: while they run (a reader's, until it is disposed).

    public InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        EnterForStatement(command, eventData);
        return result;
    }

    public async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        await EnterForStatementAsync(command, eventData, cancellationToken);
        return result;
    }

    public int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        Leave(eventData.Context, transaction: false);
        return result;
    }

    public ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Leave(eventData.Context, transaction: false);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        EnterForStatement(command, eventData);
        return result;
    }

    public async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        await EnterForStatementAsync(command, eventData, cancellationToken);
        return result;
    }

    public object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        Leave(eventData.Context, transaction: false);
        return result;
    }

    public ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
    {
        Leave(eventData.Context, transaction: false);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        EnterForStatement(command, eventData);
        return result;
    }

    public async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await EnterForStatementAsync(command, eventData, cancellationToken);
        return result;
    }

    public InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        Leave(eventData.Context, transaction: false);
        return result;
    }

    public void CommandFailed(DbCommand command, CommandErrorEventData eventData) => Leave(eventData.Context, transaction: false);

    public Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Leave(eventData.Context, transaction: false);
        return Task.CompletedTask;
    }

    public void CommandCanceled(DbCommand command, CommandEndEventData eventData) => Leave(eventData.Context, transaction: false);

    public Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Leave(eventData.Context, transaction: false);
        return Task.CompletedTask;
    }

    private void EnterForStatement(DbCommand command, CommandEventData eventData)
    {
        if (NeedsGate(command, eventData.Context) is { } context)
            _held.AddOrUpdate(context, new Hold(gate.Enter(), transaction: false));
    }

    private async ValueTask EnterForStatementAsync(DbCommand command, CommandEventData eventData, CancellationToken ct)
    {
        if (NeedsGate(command, eventData.Context) is { } context)
            _held.AddOrUpdate(context, new Hold(await gate.EnterAsync(ct), transaction: false));
    }

    /// <summary>The context of a writing statement outside any transaction, when it holds nothing yet (a transaction's statements run under its hold).</summary>
    private DbContext? NeedsGate(DbCommand command, DbContext? context) =>
        context is not null && command.Transaction is null && !_held.TryGetValue(context, out _) && Writes(command.CommandText) ? context : null;

    /// <summary>
    /// Whether a statement writes: its first word (after comments and white space) is one that changes the database.
    /// EF Core's batches of a save start with their first change; what EF Core and Tessera send begins with the verb.
    /// </summary>
    internal static bool Writes(string? sql)
    {
        var text = sql.AsSpan();
        while (true)
        {
            text = text.TrimStart();
            if (text.StartsWith("--"))
            {
                var end = text.IndexOf('\n');
                text = end < 0 ? [] : text[(end + 1)..];
            }
            else if (text.StartsWith("/*"))
            {
                var end = text.IndexOf("*/");
                text = end < 0 ? [] : text[(end + 2)..];
            }
            else
            {
                break;
            }
        }
        var length = 0;
        while (length < text.Length && char.IsAsciiLetter(text[length]))
            length++;
        var verb = text[..length];
        foreach (var writing in (ReadOnlySpan<string>)["INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "WITH"])
        {
            if (verb.Equals(writing, StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }

    private void Leave(DbContext? context, bool transaction)
    {
        if (context is null || !_held.TryGetValue(context, out var hold))
            return;
        // A statement's end does not end a transaction's hold; a transaction's end (or the connection's close) ends either.
        if (!transaction && hold.ForTransaction)
            return;
        if (_held.Remove(context))
            hold.Gate.Dispose();
    }
}
