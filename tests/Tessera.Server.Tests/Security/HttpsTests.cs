using System.Net;
using System.Security.Cryptography.X509Certificates;
using Shouldly;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Security;

/// <summary>
/// Kestrel's standard certificate configuration, as <c>serve</c> takes it: <c>--urls https://…</c> and
/// <c>Kestrel:Certificates:Default:Path</c>/<c>KeyPath</c> naming PEM files of a certificate made by the test.
/// </summary>
public sealed class HttpsTests(HttpsTests.Server server) : IClassFixture<HttpsTests.Server>
{
    public sealed class Server : TestServer
    {
        public Server()
        {
            var (certificate, key) = Certificates.Issue("web");
            Settings["urls"] = "https://127.0.0.1:0";
            Settings["Kestrel:Certificates:Default:Path"] = certificate;
            Settings["Kestrel:Certificates:Default:KeyPath"] = key;
        }

        public TestCertificates Certificates { get; } = new();

        /// <summary>The clients trust the test CA and nothing else.</summary>
        protected override void ConfigureHandler(SocketsHttpHandler handler) =>
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => Certificates.Issued(certificate as X509Certificate2);

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            Certificates.Dispose();
        }
    }

    [Fact]
    public async Task Https_WithAPemCertificate_AnswersOverTls_WithHsts()
    {
        using var http = server.Admin();

        using var response = await http.GetAsync("api/users/me");

        server.BaseAddress.Scheme.ShouldBe("https");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.GetValues("Strict-Transport-Security").ShouldBe(["max-age=31536000"]);
    }

    [Fact]
    public async Task SignIn_OverHttps_SetsSecureCookies()
    {
        using var http = server.Http(followRedirects: false);

        var (page, signIn) = await SignInForm.SignInAsync(http, "admin", TestServer.AdminPassword);

        page.ShouldContain(c => c.StartsWith("tessera-antiforgery=", StringComparison.Ordinal) && c.Contains("; secure", StringComparison.OrdinalIgnoreCase));
        signIn.ShouldContain(c => c.StartsWith("tessera=", StringComparison.Ordinal) && c.Contains("; secure", StringComparison.OrdinalIgnoreCase)
            && c.Contains("; httponly", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task AClientThatDoesNotTrustTheCertificate_CannotConnect()
    {
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        var failure = await Should.ThrowAsync<HttpRequestException>(() => http.GetAsync("health/live"));

        failure.InnerException.ShouldBeOfType<System.Security.Authentication.AuthenticationException>();
    }
}
