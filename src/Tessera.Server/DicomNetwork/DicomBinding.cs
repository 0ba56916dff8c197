using System.Net;
using System.Net.Sockets;

namespace Tessera.Server.DicomNetwork;

/// <summary>
/// The address the DICOM listeners bind: <c>Dicom:Host</c> when set (<c>*</c> for every interface, an IP address,
/// <c>localhost</c> or a name of this machine); else loopback when every HTTP address is loopback (a server kept to
/// this machine keeps its DICOM port there too), else every interface.
/// </summary>
internal static class DicomBinding
{
    /// <summary>The address to bind; null means every interface (IPv4 and IPv6).</summary>
    public static IPAddress? Resolve(string? host, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (!string.IsNullOrWhiteSpace(host))
            return Parse(host.Trim());
        var urls = HttpUrls(configuration);
        return urls.Count > 0 && urls.All(IsLoopback) ? IPAddress.Loopback : null;
    }

    /// <summary>How a bound address reads in the start-up summary and logs.</summary>
    public static string Describe(IPAddress? address, int port) =>
        address is null ? $"every interface, port {port}" : new IPEndPoint(address, port).ToString();

    /// <summary>A listener on the port at the address (every interface: dual-mode IPv6 where the system has it).</summary>
    public static TcpListener Listener(IPAddress? address, int port) =>
        address is null ? TcpListener.Create(port) : new TcpListener(address, port);

    private static IPAddress? Parse(string host)
    {
        if (host is "*" or "+")
            return null;
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            return IPAddress.Loopback;
        if (IPAddress.TryParse(host.Trim('[', ']'), out var address))
            return address;
        try
        {
            return Dns.GetHostAddresses(host).FirstOrDefault()
                ?? throw new InvalidOperationException($"Dicom:Host '{host}' resolves to no address.");
        }
        catch (SocketException e)
        {
            throw new InvalidOperationException($"Dicom:Host '{host}' is not an address of this machine and cannot be resolved ({e.Message}): use an IP address, localhost, or * for every interface.", e);
        }
    }

    /// <summary>The HTTP addresses the server is configured with (the default when none), sockets left out.</summary>
    private static List<string> HttpUrls(IConfiguration configuration)
    {
        var urls = (configuration["urls"] is { Length: > 0 } configured ? configured : TesseraServer.DefaultUrl)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        urls.AddRange(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>());
        return urls.Where(u => !u.Contains("://unix:", StringComparison.OrdinalIgnoreCase)).ToList();
    }

    private static bool IsLoopback(string url)
    {
        var rest = url[(url.IndexOf("://", StringComparison.Ordinal) is var i and >= 0 ? i + 3 : 0)..];
        var host = rest.StartsWith('[') ? rest[1..Math.Max(1, rest.IndexOf(']', StringComparison.Ordinal))] : rest.Split(':', '/')[0];
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }
}
