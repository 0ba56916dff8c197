using Microsoft.Extensions.Options;
using Tessera.Archive.Storage;
using Tessera.Archive.Uploads;

namespace Tessera.Server.Hosting;

/// <summary>Runs the upload and blob sweepers at start and then every <see cref="StorageOptions.SweepInterval"/>.</summary>
public sealed partial class BlobSweepService(IServiceScopeFactory scopes, IOptions<StorageOptions> options, ILogger<BlobSweepService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<UploadService>().SweepAsync(stoppingToken);
                await scope.ServiceProvider.GetRequiredService<BlobSweeper>().SweepAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSweepFailed(e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Error, Message = "The blob sweep failed; it will run again at the next interval")]
    private partial void LogSweepFailed(Exception exception);
}
