using System.Net;
using System.Net.Http.Headers;
using Shouldly;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Security;

/// <summary>
/// An API error is problem JSON whatever the request accepts (regression: a DICOMweb client asking for multipart
/// frames got the web interface's HTML error page, with its antiforgery cookie).
/// </summary>
public sealed class ErrorBodyTests(TestServer server) : IClassFixture<TestServer>
{
    [Theory]
    [InlineData("dicom-web/studies/1.2.3/series/4.5.6/instances/7.8.9/frames/1", "multipart/related; type=\"application/octet-stream\"")]
    [InlineData("dicom-web/studies/1.2.3", "multipart/related; type=\"application/dicom\"")]
    [InlineData("iiif/3/00000000-0000-0000-0000-000000000001/full/max/0/default.jpg", "image/jpeg")]
    [InlineData("api/projects/no-such-project", "text/csv")]
    [InlineData("api/no-such-route", "image/gif")]
    [InlineData("dicom-web/no-such-route", "text/plain")]
    [InlineData("iiif/3/not-an-id", "image/gif")]
    public async Task AnApiError_IsProblemJson_WhateverTheRequestAccepts(string path, string accept)
    {
        using var http = server.Admin();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd(accept);

        using var response = await http.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        response.Headers.TryGetValues("Set-Cookie", out _).ShouldBeFalse("an API error sets no cookie");
        (await response.Content.ReadAsStringAsync()).ShouldNotContain("<html", Case.Insensitive);
    }

    /// <summary>An over-long JSON body says which limit refused it (regression: a bare "Content Too Large").</summary>
    [Fact]
    public async Task AnOverLongJsonBody_NamesTheLimit()
    {
        using var http = server.Admin();
        var body = "{\"id\":\"x\",\"name\":\"" + new string('a', 17 << 20) + "\"}";

        // The body waits for "100 Continue": the server answers 413 from the declared length, before any of it is sent.
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/projects") { Content = HttpAssertions.Json(body) };
        request.Headers.ExpectContinue = true;
        using var response = await http.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await response.ReadProblem()).GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain("Server:MaxJsonBytes");
    }
}
