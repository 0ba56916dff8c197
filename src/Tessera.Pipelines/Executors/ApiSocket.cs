using Microsoft.Extensions.Options;
using Tessera.Archive.Storage;

namespace Tessera.Pipelines.Executors;

/// <summary>
/// The Unix socket the server also listens on (<c>&lt;data&gt;/run/api.sock</c>), through which
/// sandboxed jobs, which have no network of their own, reach the API.
/// </summary>
public sealed class ApiSocket(IOptions<StorageOptions> storage)
{
    public static string PathFor(string dataDirectory) => System.IO.Path.Combine(System.IO.Path.GetFullPath(dataDirectory), "run", "api.sock");

    public string Path => PathFor(storage.Value.DataDirectory);

    /// <summary>
    /// Lets any local account connect to the socket (tools run as <see cref="ToolUser"/> when the server is root).
    /// It carries the same authenticated API as the loopback port, which any local account reaches anyway.
    /// </summary>
    public static void AllowTools(string socketPath)
    {
        if (File.Exists(socketPath) && !OperatingSystem.IsWindows())
            File.SetUnixFileMode(socketPath, (UnixFileMode)0b110_110_110);
    }
}
