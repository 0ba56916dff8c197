using Microsoft.Extensions.Options;
using Tessera.Archive.Dicom.Nodes;
using Tessera.Dicom;
using Tessera.Dicom.Network;

namespace Tessera.Server.DicomNetwork;

/// <summary>
/// Sends storage commitment reports that could not go on their request's association: on a new
/// association to the requesting AE, at its host and port in the AE table (over TLS when its row says so), tried a few times with
/// growing pauses. A report is about instances already stored; nothing waits for it here.
/// </summary>
internal sealed partial class CommitmentReporter(IServiceScopeFactory scopes, IOptions<DicomOptions> options, ILogger<CommitmentReporter> logger)
    : IHostedService, IDisposable
{
    private static readonly TimeSpan[] Pauses = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30)];
    private readonly CancellationTokenSource _stopping = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Task, byte> _sending = new();

    public void Enqueue(string aeTitle, string ownAeTitle, ushort eventType, DicomDataset eventInformation)
    {
        var sending = Task.Run(() => SendAsync(aeTitle, ownAeTitle, eventType, eventInformation, _stopping.Token));
        _sending.TryAdd(sending, 0);
        _ = sending.ContinueWith(t => _sending.TryRemove(t, out _), TaskScheduler.Default);
    }

    private async Task SendAsync(string aeTitle, string ownAeTitle, ushort eventType, DicomDataset eventInformation, CancellationToken ct)
    {
        var transaction = eventInformation.GetString(DicomTags.TransactionUid) ?? "";
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var node = await scope.ServiceProvider.GetRequiredService<DicomNodeService>().FindAsync(aeTitle, ct);
                if (node is null)
                {
                    LogNoNode(aeTitle, transaction);
                    return;
                }
                var status = await StorageCommitment.SendReportAsync(node.Host, node.Port, ownAeTitle, aeTitle, eventType, eventInformation,
                    DicomScuService.TlsFor(scope.ServiceProvider, node), options.Value.IdleTimeout, ct);
                LogSent(transaction, aeTitle, status);
                return;
            }
            catch (Exception e) when (e is DicomNetworkException or IOException or TimeoutException or System.Net.Sockets.SocketException)
            {
                if (attempt == Pauses.Length)
                {
                    LogGaveUp(transaction, aeTitle, attempt + 1, e.Message);
                    return;
                }
                await Task.Delay(Pauses[attempt], ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_sending.Keys).WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    public void Dispose() => _stopping.Dispose();

    [LoggerMessage(EventId = 1320, Level = LogLevel.Information, Message = "DICOM: storage commitment report {TransactionUid} sent to {AeTitle} on a new association: {Status}")]
    private partial void LogSent(string transactionUid, string aeTitle, DimseStatus status);

    [LoggerMessage(EventId = 1321, Level = LogLevel.Warning, Message = "DICOM: storage commitment report {TransactionUid} for {AeTitle} not sent: the AE is not in the AE table")]
    private partial void LogNoNode(string aeTitle, string transactionUid);

    [LoggerMessage(EventId = 1322, Level = LogLevel.Warning, Message = "DICOM: storage commitment report {TransactionUid} for {AeTitle} not sent after {Attempts} attempts: {Reason}")]
    private partial void LogGaveUp(string transactionUid, string aeTitle, int attempts, string reason);
}
