using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Tessera.Pipelines.Jobs;

/// <summary>
/// The address at which tools reach this server's API (TESSERA_URL outside a sandbox):
/// <c>Pipelines:ServerUrl</c>, or the first HTTP address the server listens on, with a wildcard
/// host read as loopback.
/// </summary>
public sealed class ServerAddress(IServer server, IOptions<PipelineOptions> options)
{
    public string Url
    {
        get
        {
            if (options.Value.ServerUrl is { Length: > 0 } configured)
                return configured.TrimEnd('/');
            var address = server.Features.Get<IServerAddressesFeature>()?.Addresses
                .FirstOrDefault(a => a.StartsWith("http://", StringComparison.Ordinal) && !a.StartsWith("http://unix:", StringComparison.Ordinal))
                ?? server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault(a => !a.Contains("unix:", StringComparison.Ordinal))
                ?? "http://127.0.0.1:8080";
            return address.Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal)
                .Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal)
                .Replace("://+", "://127.0.0.1", StringComparison.Ordinal)
                .Replace("://*", "://127.0.0.1", StringComparison.Ordinal)
                .TrimEnd('/');
        }
    }
}
