using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Shouldly;
using Tessera.Client;
using Tessera.Client.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Security;

/// <summary>
/// Regression for stored XSS through downloads: a member uploaded evil.html (or any file declared
/// text/html) and whoever opened its download URL ran its script in our origin. Stored files are now
/// typed by the server, downloaded unless passive, and sandboxed; every page refuses framing.
/// </summary>
public sealed class StoredFileServingTests(TestServer server) : IClassFixture<TestServer>
{
    private const string Session = "subjects/S1/sessions/E1";
    private const string Script = "<html><script>fetch('/api/account').then(r => r.text()).then(t => parent.postMessage(t, '*'))</script></html>";

    [Theory]
    [InlineData("evil.html", "text/html")]
    [InlineData("evil.htm", null)]
    [InlineData("evil.svg", "image/svg+xml")]
    [InlineData("evil.xhtml", "application/xhtml+xml")]
    [InlineData("notes.bin", "text/html")]
    [InlineData("no-extension", "text/html; charset=utf-8")]
    [InlineData("evil.js", "application/javascript")]
    public async Task AnActiveFile_IsADownload_Sandboxed_AndNeverSniffed(string path, string? declared)
    {
        var (project, http) = await SessionAsync();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(Script));
        if (declared is not null)
            content.Headers.TryAddWithoutValidation("Content-Type", declared);
        await http.PutAsync(Url(project, path), content).ShouldHaveStatus(HttpStatusCode.Created);

        var response = await http.GetAsync(Url(project, path)).ShouldHaveStatus(HttpStatusCode.OK);

        response.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("attachment");
        response.Content.Headers.ContentDisposition.FileNameStar.ShouldBe(path);
        response.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
        string.Join(",", response.Headers.GetValues("Content-Security-Policy")).ShouldContain("sandbox");
        var type = response.Content.Headers.ContentType?.MediaType ?? "";
        if (path is "notes.bin" or "no-extension")
            type.ShouldBe("application/octet-stream"); // the client's claim of text/html is not taken
    }

    [Theory]
    [InlineData("picture.png", "image/png")]
    [InlineData("readme.txt", "text/plain")]
    [InlineData("scan", "image/jpeg")]
    public async Task APassiveFile_IsShownInline_StillSandboxed(string path, string type)
    {
        var (project, http) = await SessionAsync();
        var content = new ByteArrayContent([0x89, 0x50, 0x4E, 0x47]);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        await http.PutAsync(Url(project, path), content).ShouldHaveStatus(HttpStatusCode.Created);

        var response = await http.GetAsync(Url(project, path)).ShouldHaveStatus(HttpStatusCode.OK);

        response.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("inline");
        response.Content.Headers.ContentType!.MediaType.ShouldBe(type);
        string.Join(",", response.Headers.GetValues("Content-Security-Policy")).ShouldContain("sandbox");
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/login")]
    [InlineData("/search")]
    [InlineData("/no-such-page")]
    public async Task EveryPage_RefusesFraming_AndLimitsWhatItLoads(string path)
    {
        using var http = server.Admin();
        var response = await http.GetAsync(path.TrimStart('/'));

        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        response.Headers.GetValues("X-Frame-Options").ShouldBe(["DENY"]);
        response.Headers.GetValues("Referrer-Policy").ShouldBe(["same-origin"]);
        response.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
        var policy = string.Join(",", response.Headers.GetValues("Content-Security-Policy"));
        policy.ShouldContain("frame-ancestors 'none'");
        policy.ShouldContain("script-src 'self'");
        policy.ShouldNotContain("unsafe-eval");
    }

    [Fact]
    public async Task AnApiAnswer_CarriesTheDataPolicy()
    {
        using var http = server.Admin();
        var response = await http.GetAsync("api/projects").ShouldHaveStatus(HttpStatusCode.OK);

        string.Join(",", response.Headers.GetValues("Content-Security-Policy")).ShouldBe("default-src 'none'; frame-ancestors 'none'; sandbox");
    }

    private async Task<(string Project, HttpClient Http)> SessionAsync()
    {
        var project = await server.CreateProjectAsync();
        using var client = new TesseraClient(server.Admin());
        await client.PutEntityAsync(project, "subjects/S1");
        await client.PutEntityAsync(project, Session);
        return (project, server.Admin());
    }

    private static string Url(string project, string path) => $"api/projects/{project}/{Session}/resources/R/files/{path}";
}
