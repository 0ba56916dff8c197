using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using Tessera.Imaging.Codecs;
using Tessera.Imaging.Dicom;
using Tessera.Server.Imaging;

namespace Tessera.Server.Imaging;

/// <summary>
/// Builds queued pyramids one at a time on this node, woken when this node queues one and looking every two seconds otherwise. Without the vips command
/// it builds nothing and says so once; the queue waits (images are shown from their source meanwhile).
/// </summary>
public sealed partial class PyramidBuildService(
    IServiceScopeFactory scopes, PyramidSignal signal, IOptions<ImagingOptions> options, ILogger<PyramidBuildService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.BuildPyramids)
            return;
        if (!await VipsRunsAsync(options.Value.VipsCommand, stoppingToken))
        {
            LogNoVips(options.Value.VipsCommand);
            return;
        }
        do
        {
            try
            {
                while (!stoppingToken.IsCancellationRequested)
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var pyramids = scope.ServiceProvider.GetRequiredService<PyramidService>();
                    if (await pyramids.ClaimAsync(stoppingToken) is not { } key)
                        break;
                    var started = Stopwatch.GetTimestamp();
                    var state = await pyramids.BuildAsync(key, stoppingToken);
                    var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                    LogBuilt(key, state, seconds);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogPassFailed(e);
            }
        }
        while (await WaitAsync(stoppingToken));
    }

    /// <summary>Until something is queued on this node, or two seconds (another node may have queued it).</summary>
    private async Task<bool> WaitAsync(CancellationToken ct)
    {
        try
        {
            await signal.WaitAsync(TimeSpan.FromSeconds(2), ct);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<bool> VipsRunsAsync(string vips, CancellationToken ct)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(vips, "--version") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
            if (process is null)
                return false;
            await process.WaitForExitAsync(ct);
            return process.ExitCode == 0;
        }
        catch (Win32Exception)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 1701, Level = LogLevel.Warning, Message = "Pyramids are not built: the '{Command}' command of libvips does not run (apt-get install libvips-tools). Large flat images are shown from their source meanwhile")]
    private partial void LogNoVips(string command);

    [LoggerMessage(EventId = 1702, Level = LogLevel.Information, Message = "Pyramid of {Key}: {State} after {Seconds:F1} s")]
    private partial void LogBuilt(string key, string state, double seconds);

    [LoggerMessage(EventId = 1703, Level = LogLevel.Error, Message = "A pass over the pyramid queue failed; it runs again shortly")]
    private partial void LogPassFailed(Exception exception);
}
