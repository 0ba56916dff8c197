using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// A real Orthanc with its DICOMweb plugin on loopback ports, with its own storage folder, for tests
/// against a peer. Without Orthanc the tests are skipped, except under CI, where they fail.
/// </summary>
public sealed class OrthancProcess : IAsyncDisposable
{
    public const string Executable = "/usr/sbin/Orthanc";
    public const string DicomWebPlugin = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so";

    private readonly Process _process;
    private readonly string _directory;

    private OrthancProcess(Process process, string directory, Uri baseAddress)
    {
        _process = process;
        _directory = directory;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
    }

    public Uri BaseAddress { get; }

    private System.Collections.Concurrent.ConcurrentQueue<string> _log = new();

    /// <summary>What Orthanc has logged so far, for failure messages.</summary>
    public string Log => string.Join('\n', _log);

    public HttpClient Http { get; }

    public static void RequireInstalled()
    {
        if (File.Exists(Executable) && File.Exists(DicomWebPlugin))
            return;
        var message = "Orthanc and its DICOMweb plugin are not installed (apt-get install orthanc orthanc-dicomweb).";
        if (Environment.GetEnvironmentVariable("CI") == "true")
            throw new InvalidOperationException("CI=true: " + message);
        Assert.Skip(message);
    }

    /// <summary>Orthanc's AE title in these tests.</summary>
    public const string AeTitle = "ORTHANC";

    /// <summary>Orthanc's DICOM port.</summary>
    public int DicomListenerPort { get; private init; }

    /// <summary>
    /// Starts Orthanc; <paramref name="dicomWebServers"/> become its DicomWeb.Servers (name to URL, user, password),
    /// <paramref name="modalities"/> its DicomModalities (name to AE title, host, port), which it accepts and moves to.
    /// With <paramref name="tls"/>, its DICOM port speaks only TLS (DicomTlsEnabled, Orthanc 1.9 and later) and it calls every modality over TLS.
    /// </summary>
    public static async Task<OrthancProcess> StartAsync(IReadOnlyDictionary<string, (string Url, string Username, string Password)> dicomWebServers,
        IReadOnlyDictionary<string, (string AeTitle, string Host, int Port)>? modalities = null, OrthancTls? tls = null)
    {
        RequireInstalled();
        var directory = Path.Combine(Path.GetTempPath(), "tessera-orthanc-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var (httpPort, dicomPort) = (FreePort(), FreePort());
        var servers = new JsonObject();
        foreach (var (name, server) in dicomWebServers)
            servers[name] = new JsonObject { ["Url"] = server.Url, ["Username"] = server.Username, ["Password"] = server.Password };
        var modalityTable = new JsonObject();
        foreach (var (name, modality) in modalities ?? new Dictionary<string, (string, string, int)>())
            modalityTable[name] = tls is null
                ? new JsonArray(modality.AeTitle, modality.Host, modality.Port)
                : new JsonObject { ["AET"] = modality.AeTitle, ["Host"] = modality.Host, ["Port"] = modality.Port, ["UseDicomTls"] = true };
        var config = new JsonObject
        {
            ["Name"] = "TesseraTests",
            ["StorageDirectory"] = Path.Combine(directory, "db"),
            ["IndexDirectory"] = Path.Combine(directory, "db"),
            ["Plugins"] = new JsonArray(DicomWebPlugin),
            ["HttpPort"] = httpPort,
            ["DicomPort"] = dicomPort,
            ["RemoteAccessAllowed"] = false,
            ["AuthenticationEnabled"] = false,
            ["DicomWeb"] = new JsonObject { ["Enable"] = true, ["Root"] = "/dicom-web/", ["Servers"] = servers },
            ["DicomAet"] = AeTitle,
            ["DicomCheckCalledAet"] = false,
            ["DicomModalities"] = modalityTable,
        };
        if (tls is not null)
        {
            config["DicomTlsEnabled"] = true;
            config["DicomTlsCertificate"] = tls.Certificate;
            config["DicomTlsPrivateKey"] = tls.Key;
            config["DicomTlsTrustedCertificates"] = tls.TrustedCertificates;
            config["DicomTlsRemoteCertificateRequired"] = tls.RemoteCertificateRequired;
        }
        var configPath = Path.Combine(directory, "orthanc.json");
        await File.WriteAllTextAsync(configPath, config.ToJsonString());
        var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["TCP_NODELAY"] = "1";
        start.ArgumentList.Add(configPath);
        var process = Process.Start(start)!;
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var orthanc = new OrthancProcess(process, directory, new Uri($"http://127.0.0.1:{httpPort}/")) { _log = log, DicomListenerPort = dicomPort };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                using var response = await orthanc.Http.GetAsync("system");
                if (response.IsSuccessStatusCode)
                    return orthanc;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
            }
            if (process.HasExited || DateTime.UtcNow >= deadline)
            {
                await orthanc.DisposeAsync();
                throw new InvalidOperationException($"Orthanc did not start (exit code {(process.HasExited ? process.ExitCode : -1)}).");
            }
            await Task.Delay(200);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }
}
