using System.Net;
using System.Net.Sockets;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.DicomNetwork;

/// <summary>A server with its DICOM listener on a free port, called TESSERA_T.</summary>
public class DicomNodeServer : TestServer
{
    public const string AeTitle = "TESSERA_T";

    public DicomNodeServer()
    {
        Port = FreePort();
        Settings["Dicom:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Settings["Dicom:AeTitle"] = AeTitle;
    }

    public int Port { get; }

    public string PortText => Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Puts a row in the AE table (as the admin).</summary>
    public async Task PutNodeAsync(string aeTitle, string? project, params string[] allow)
    {
        using var admin = Admin();
        var body = System.Text.Json.JsonSerializer.Serialize(new { host = "127.0.0.1", port = 104, allow, project });
        (await admin.PutAsync($"api/dicom/nodes/{aeTitle}", HttpAssertions.Json(body))).EnsureSuccessStatusCode();
    }

    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
