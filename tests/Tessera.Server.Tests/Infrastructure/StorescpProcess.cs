using System.Diagnostics;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>dcmtk's storescp on a free loopback port, writing what it receives into a folder of its own (a C-MOVE destination).</summary>
public sealed class StorescpProcess : IAsyncDisposable
{
    private readonly Process _process;

    private StorescpProcess(Process process, int port, string directory)
    {
        _process = process;
        Port = port;
        Directory = directory;
    }

    public int Port { get; }

    public string Directory { get; }

    public IReadOnlyList<string> Files => System.IO.Directory.GetFiles(Directory);

    /// <param name="tls">dcmtk's TLS options for storescp (e.g. <c>+tls key crt +cf ca.crt</c>); null: plain TCP.</param>
    /// <param name="echoTls">The TLS options of the echoscu that checks it is listening, with <paramref name="tls"/>.</param>
    public static async Task<StorescpProcess> StartAsync(string aeTitle, IReadOnlyList<string>? tls = null, IReadOnlyList<string>? echoTls = null)
    {
        var port = DicomNetwork.DicomNodeServer.FreePort();
        var portText = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var directory = System.IO.Directory.CreateTempSubdirectory("tessera-storescp-").FullName;
        var start = new ProcessStartInfo(Dcmtk.Tool("storescp"), ["-aet", aeTitle, "-od", directory, "-dhl", "+xs", .. tls ?? [], portText])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.Environment["TCP_NODELAY"] = "1";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var storescp = new StorescpProcess(process, port, directory);
        // Listening once an echo is answered.
        await Poll.UntilAsync(() => Dcmtk.RunAsync("echoscu", [.. echoTls ?? [], "-aec", aeTitle, "127.0.0.1", portText]),
            r => r.ExitCode == 0, "storescp answers an echo");
        return storescp;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
