using Microsoft.Extensions.Options;
using Shouldly;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Security;

/// <summary>TLS settings that cannot work stop the server at start, saying what to set.</summary>
public sealed class TlsConfigurationTests : IDisposable
{
    private readonly TestCertificates _certificates = new();
    private readonly string _data = Directory.CreateTempSubdirectory("tessera-tls-config-").FullName;

    [Theory]
    [InlineData("Dicom:Tls:Port=11762", "Dicom:Tls:Certificate and Dicom:Tls:Key must name")]
    [InlineData("Dicom:Tls:Port=11762;Dicom:Tls:Certificate={dir}/none.crt;Dicom:Tls:Key={key}", "the file")]
    [InlineData("Dicom:Tls:Port=11762;Dicom:Tls:Certificate={crt};Dicom:Tls:Key={otherKey}", "not a PEM certificate and its unencrypted private key")]
    [InlineData("Dicom:Tls:Certificate={crt}", "Dicom:Tls:Certificate and Dicom:Tls:Key go together")]
    [InlineData("Dicom:Port=11762;Dicom:Tls:Port=11762;Dicom:Tls:Certificate={crt};Dicom:Tls:Key={key}", "needs a port of its own")]
    [InlineData("Dicom:Tls:Port=11762;Dicom:Tls:Certificate={crt};Dicom:Tls:Key={key};Dicom:Tls:ClientCertificates=required", "set Dicom:Tls:TrustedCertificates")]
    [InlineData("Dicom:Tls:TrustedCertificates={key}", "holds no PEM certificate")]
    [InlineData("Server:ForwardedHeaders:Enabled=true", "list the proxies")]
    [InlineData("Server:ForwardedHeaders:Enabled=true;Server:ForwardedHeaders:KnownNetworks:0=10.0.0.0/33", "not a network in CIDR notation")]
    [InlineData("Server:ForwardedHeaders:Enabled=true;Server:ForwardedHeaders:KnownProxies:0=proxy.example", "'proxy.example' is not an IP address")]
    [InlineData("urls=https://127.0.0.1:0", "Kestrel:Certificates:Default:Path")]
    public async Task Start_WithSettingsThatCannotWork_FailsWithWhatToSet(string settings, string message)
    {
        var (certificate, key) = _certificates.Issue("node");
        var (_, otherKey) = _certificates.Issue("other");
        var values = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Storage:DataDirectory"] = _data,
            ["Pipelines:RunJobs"] = "false",
            ["Dicom:Port"] = "0",
        };
        foreach (var setting in settings.Split(';'))
        {
            var (name, value) = (setting[..setting.IndexOf('=', StringComparison.Ordinal)], setting[(setting.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            values[name] = value.Replace("{dir}", _certificates.Directory, StringComparison.Ordinal).Replace("{crt}", certificate, StringComparison.Ordinal)
                .Replace("{key}", key, StringComparison.Ordinal).Replace("{otherKey}", otherKey, StringComparison.Ordinal);
        }

        var failure = await Should.ThrowAsync<OptionsValidationException>(async () =>
        {
            await using var app = TesseraServer.Build([], values);
            await app.StartAsync();
            await app.StopAsync();
        });

        failure.Message.ShouldContain(message);
    }

    public void Dispose()
    {
        _certificates.Dispose();
        Directory.Delete(_data, recursive: true);
    }
}
