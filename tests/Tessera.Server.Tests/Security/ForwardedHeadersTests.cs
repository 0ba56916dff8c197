using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;
using Tessera.Client.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Security;

/// <summary>
/// Behind a reverse proxy that ends TLS (Server:ForwardedHeaders): from a known proxy, X-Forwarded-Proto/Host/For make
/// the request https on the public host from the client's address — DICOMweb RetrieveURLs, Secure cookies, HSTS and
/// the audit log's client address follow; from an unknown proxy, or with the option off, the headers change nothing.
/// </summary>
public sealed class ForwardedHeadersTests(ForwardedHeadersTests.TrustingServer trusting, ForwardedHeadersTests.DistrustingServer distrusting, TestServer off)
    : IClassFixture<ForwardedHeadersTests.TrustingServer>, IClassFixture<ForwardedHeadersTests.DistrustingServer>, IClassFixture<TestServer>
{
    /// <summary>The test's own address (loopback) is the known proxy.</summary>
    public sealed class TrustingServer : TestServer
    {
        public TrustingServer()
        {
            Settings["Server:ForwardedHeaders:Enabled"] = "true";
            Settings["Server:ForwardedHeaders:KnownProxies:0"] = "127.0.0.1";
        }
    }

    /// <summary>Forwarded headers on, but only from proxies elsewhere.</summary>
    public sealed class DistrustingServer : TestServer
    {
        public DistrustingServer()
        {
            Settings["Server:ForwardedHeaders:Enabled"] = "true";
            Settings["Server:ForwardedHeaders:KnownProxies:0"] = "10.9.8.7";
            Settings["Server:ForwardedHeaders:KnownNetworks:0"] = "192.168.0.0/16";
        }
    }

    private const string ClientAddress = "203.0.113.7";

    private static readonly Dictionary<string, string> Forwarded = new()
    {
        ["X-Forwarded-Proto"] = "https", ["X-Forwarded-Host"] = "tessera.example.org", ["X-Forwarded-For"] = ClientAddress,
    };

    [Fact]
    public async Task FromAKnownProxy_LinksCookiesHstsAndAudit_FollowTheForwardedRequest()
    {
        var (project, study) = await StudyAsync(trusting);

        var (url, hsts) = await RetrieveUrlAsync(trusting, project);
        var (_, signIn) = await SignInForm.SignInAsync(trusting.Http(followRedirects: false), "admin", TestServer.AdminPassword, Forwarded);
        var audited = await AuditedAddressAsync(trusting, project);

        url.ShouldBe($"https://tessera.example.org/dicom-web/projects/{project}/studies/{study}");
        hsts.ShouldBe("max-age=31536000");
        signIn.ShouldContain(c => c.StartsWith("tessera=", StringComparison.Ordinal) && c.Contains("; secure", StringComparison.OrdinalIgnoreCase));
        audited.ShouldBe(ClientAddress);
    }

    [Fact]
    public async Task FromAnUnknownProxy_OrWithTheOptionOff_TheForwardedHeadersAreIgnored()
    {
        foreach (var server in new[] { distrusting, off })
        {
            var (project, study) = await StudyAsync(server);

            var (url, hsts) = await RetrieveUrlAsync(server, project);
            var (_, signIn) = await SignInForm.SignInAsync(server.Http(followRedirects: false), "admin", TestServer.AdminPassword, Forwarded);
            var audited = await AuditedAddressAsync(server, project);

            url.ShouldBe($"{server.BaseAddress}dicom-web/projects/{project}/studies/{study}");
            url.ShouldStartWith("http://127.0.0.1:");
            hsts.ShouldBeNull();
            signIn.ShouldContain(c => c.StartsWith("tessera=", StringComparison.Ordinal));
            signIn.ShouldNotContain(c => c.Contains("; secure", StringComparison.OrdinalIgnoreCase));
            audited.ShouldBe("127.0.0.1");
        }
    }

    private static async Task<(string Project, string Study)> StudyAsync(TestServer server)
    {
        var project = await server.CreateProjectAsync();
        var study = TestDicom.NewUid();
        using var admin = new Tessera.Client.TesseraClient(server.Admin());
        await admin.ImportFileAsync(project, "f.dcm", new MemoryStream(TestDicom.Create(study, TestDicom.NewUid(), TestDicom.NewUid(), "FWD-1")));
        return (project, study);
    }

    /// <summary>A QIDO-RS search through the "proxy": the study's RetrieveURL, and the HSTS header of the answer.</summary>
    private static async Task<(string Url, string? Hsts)> RetrieveUrlAsync(TestServer server, string project)
    {
        using var admin = server.Admin();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"dicom-web/projects/{project}/studies");
        foreach (var (name, value) in Forwarded)
            request.Headers.Add(name, value);
        using var response = await admin.SendAsync(request).ShouldHaveStatus(HttpStatusCode.OK);
        var studies = await response.ReadJson<JsonElement>();
        var url = studies[0].GetProperty("00081190").GetProperty("Value")[0].GetString()!;
        return (url, response.Headers.TryGetValues("Strict-Transport-Security", out var hsts) ? hsts.Single() : null);
    }

    /// <summary>Writes a file through the "proxy"; the client address the audit log recorded for it.</summary>
    private static async Task<string?> AuditedAddressAsync(TestServer server, string project)
    {
        using var admin = server.Admin();
        using var request = new HttpRequestMessage(HttpMethod.Put, $"api/projects/{project}/resources/R/files/forwarded.txt") { Content = new StringContent("x") };
        foreach (var (name, value) in Forwarded)
            request.Headers.Add(name, value);
        (await admin.SendAsync(request)).StatusCode.ShouldBe(HttpStatusCode.Created);
        var log = await Poll.UntilAsync(
            async () => await (await admin.GetAsync($"api/audit?project={project}")).ReadJson<PageDto<AuditEntryDto>>(),
            page => page.Items.Any(e => e.Target.EndsWith("/forwarded.txt", StringComparison.Ordinal)),
            "the PUT of forwarded.txt is in the audit log");
        return log.Items.First(e => e.Target.EndsWith("/forwarded.txt", StringComparison.Ordinal)).ClientAddress;
    }
}
