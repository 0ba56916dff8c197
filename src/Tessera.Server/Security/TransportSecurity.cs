using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Tessera.Server.Security;

/// <summary>
/// HTTPS as the site sees it: forwarded headers from trusted proxies only (<see cref="TrustedProxyOptions"/>),
/// ahead of everything that reads the request's scheme, host or client address.
/// </summary>
public static class TransportSecurity
{
    public static IServiceCollection AddTesseraTransportSecurity(this IServiceCollection services)
    {
        services.AddOptions<TrustedProxyOptions>().BindConfiguration(TrustedProxyOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<TrustedProxyOptions>, TrustedProxyValidation>();
        services.AddOptions<StrictTransportOptions>().BindConfiguration(StrictTransportOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<TrustedProxyOptions>>((forwarded, options) =>
        {
            var trusted = options.Value;
            // ASP.NET Core trusts loopback by default; here only what is configured is trusted, and nothing while off.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            if (!trusted.Enabled)
            {
                forwarded.ForwardedHeaders = ForwardedHeaders.None;
                return;
            }
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            forwarded.ForwardLimit = trusted.ForwardLimit;
            foreach (var proxy in trusted.KnownProxies)
                forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            foreach (var network in trusted.KnownNetworks)
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        });
        return services;
    }

    /// <summary>First in the pipeline: what follows sees the client's address, scheme and host as the trusted proxy gave them.</summary>
    public static IApplicationBuilder UseTesseraForwardedHeaders(this IApplicationBuilder app) => app.UseForwardedHeaders();

    private sealed class TrustedProxyValidation : IValidateOptions<TrustedProxyOptions>
    {
        public ValidateOptionsResult Validate(string? name, TrustedProxyOptions options)
        {
            if (!options.Enabled)
                return ValidateOptionsResult.Success;
            if (options.KnownProxies.Count == 0 && options.KnownNetworks.Count == 0)
                return ValidateOptionsResult.Fail(
                    "Server:ForwardedHeaders:Enabled is on: list the proxies whose forwarded headers are believed in Server:ForwardedHeaders:KnownProxies (addresses) or KnownNetworks (CIDR).");
            var failures = options.KnownProxies.Where(p => !IPAddress.TryParse(p, out _))
                .Select(p => $"Server:ForwardedHeaders:KnownProxies: '{p}' is not an IP address.")
                .Concat(options.KnownNetworks.Where(n => !System.Net.IPNetwork.TryParse(n, out _))
                    .Select(n => $"Server:ForwardedHeaders:KnownNetworks: '{n}' is not a network in CIDR notation (e.g. 10.0.0.0/24)."))
                .ToList();
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
