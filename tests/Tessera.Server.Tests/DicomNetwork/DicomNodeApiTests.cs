using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;
using Tessera.Client.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.DicomNetwork;

/// <summary>The AE table through the API: admins manage it, bad rows are refused with the reason, nobody else sees it.</summary>
public sealed class DicomNodeApiTests(TestServer server) : IClassFixture<TestServer>
{
    [Fact]
    public async Task PutGetListDelete_KeepWhatWasSaid()
    {
        var project = await server.CreateProjectAsync();
        using var admin = server.Admin();

        var created = await admin.PutAsync("api/dicom/nodes/CT_SCANNER_1",
            HttpAssertions.Json($$"""{"host":"ct1.hospital.example","port":104,"allow":["echo","STORE","find"],"project":"{{project}}"}""")).ShouldHaveStatus(HttpStatusCode.Created);
        var node = await created.ReadJson<DicomNodeDto>();
        node.ShouldSatisfyAllConditions(
            n => n.AeTitle.ShouldBe("CT_SCANNER_1"), n => n.Host.ShouldBe("ct1.hospital.example"), n => n.Port.ShouldBe(104),
            n => n.Allow.ShouldBe(["echo", "store", "find"]), n => n.Project.ShouldBe(project));

        var replaced = await admin.PutAsync("api/dicom/nodes/CT_SCANNER_1", HttpAssertions.Json("""{"host":"10.0.0.7","port":11112}""")).ShouldHaveStatus(HttpStatusCode.OK);
        (await replaced.ReadJson<DicomNodeDto>()).ShouldSatisfyAllConditions(n => n.Allow.ShouldBe(["echo"]), n => n.Project.ShouldBeNull(), n => n.Port.ShouldBe(11112));
        (await admin.GetFromJsonAsync<List<DicomNodeDto>>("api/dicom/nodes"))!.ShouldContain(n => n.AeTitle == "CT_SCANNER_1" && n.Host == "10.0.0.7");
        (await admin.GetFromJsonAsync<DicomNodeDto>("api/dicom/nodes/CT_SCANNER_1"))!.Host.ShouldBe("10.0.0.7");

        await admin.DeleteAsync("api/dicom/nodes/CT_SCANNER_1").ShouldHaveStatus(HttpStatusCode.NoContent);
        await admin.GetAsync("api/dicom/nodes/CT_SCANNER_1").ShouldHaveStatus(HttpStatusCode.NotFound);
        await admin.DeleteAsync("api/dicom/nodes/CT_SCANNER_1").ShouldHaveStatus(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Tls_IsKeptWithItsServerName_AndOffUnlessSaid()
    {
        using var admin = server.Admin();

        var secure = await (await admin.PutAsync("api/dicom/nodes/TLS_PACS", HttpAssertions.Json("""{"host":"10.0.0.9","port":2762,"tls":true,"tlsServerName":"pacs.example.org"}"""))
            .ShouldHaveStatus(HttpStatusCode.Created)).ReadJson<DicomNodeDto>();
        var plain = await (await admin.PutAsync("api/dicom/nodes/TLS_PACS", HttpAssertions.Json("""{"host":"10.0.0.9","port":104}"""))
            .ShouldHaveStatus(HttpStatusCode.OK)).ReadJson<DicomNodeDto>();

        secure.ShouldSatisfyAllConditions(n => n.Tls.ShouldBeTrue(), n => n.TlsServerName.ShouldBe("pacs.example.org"));
        plain.ShouldSatisfyAllConditions(n => n.Tls.ShouldBeFalse(), n => n.TlsServerName.ShouldBeNull());
    }

    [Theory]
    [InlineData("TOO_LONG_AE_TITLE_X", """{"host":"h","port":104}""", HttpStatusCode.BadRequest, "not an AE title")]
    [InlineData("BACK\\SLASH", """{"host":"h","port":104}""", HttpStatusCode.BadRequest, "not an AE title")]
    [InlineData("OK_AE", """{"host":"","port":104}""", HttpStatusCode.BadRequest, "needs its host")]
    [InlineData("OK_AE", """{"host":"h","port":70000}""", HttpStatusCode.BadRequest, "not a TCP port")]
    [InlineData("OK_AE", """{"host":"h","port":104,"allow":["echo","print"]}""", HttpStatusCode.BadRequest, "'print' is not an operation")]
    [InlineData("OK_AE", """{"host":"h","port":104,"project":"no-such-project"}""", HttpStatusCode.NotFound, "no-such-project")]
    [InlineData("OK_AE", """{"host":"h","port":104,"tlsServerName":"pacs.example.org"}""", HttpStatusCode.BadRequest, "only for a node called over TLS")]
    [InlineData("OK_AE", """{"host":"h","port":104,"tls":true,"tlsServerName":"two words"}""", HttpStatusCode.BadRequest, "tlsServerName is the name")]
    public async Task ABadRow_IsRefusedWithTheReason(string aeTitle, string body, HttpStatusCode status, string reason)
    {
        using var admin = server.Admin();

        var response = await admin.PutAsync($"api/dicom/nodes/{Uri.EscapeDataString(aeTitle)}", HttpAssertions.Json(body)).ShouldHaveStatus(status);

        (await response.ReadProblem()).GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain(reason);
    }

    [Fact]
    public async Task ProjectAeTitles_AreUnique()
    {
        var first = await server.CreateProjectAsync();
        var second = await server.CreateProjectAsync();
        using var admin = server.Admin();
        var ae = "U" + first[1..10].ToUpperInvariant();

        await admin.PatchAsync($"api/projects/{first}", HttpAssertions.Json($$"""{"dicom":{"aeTitle":"{{ae}}"} }""")).ShouldHaveStatus(HttpStatusCode.OK);
        var taken = await admin.PatchAsync($"api/projects/{second}", HttpAssertions.Json($$"""{"dicom":{"aeTitle":"{{ae}}"} }""")).ShouldHaveStatus(HttpStatusCode.Conflict);

        (await taken.ReadProblem()).GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain("already the called AE title of another project");
        var own = await admin.PatchAsync($"api/projects/{second}", HttpAssertions.Json("{\"dicom\":{\"aeTitle\":\"TESSERA\"}}")).ShouldHaveStatus(HttpStatusCode.Conflict);
        (await own.ReadProblem()).GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain("the server's own AE title");
    }

    [Fact]
    public async Task NonAdmins_CannotSeeOrChangeTheTable()
    {
        var user = await server.CreateUserAsync();
        using var http = server.Http(user);
        using var anonymous = server.Http();

        await http.GetAsync("api/dicom/nodes").ShouldHaveStatus(HttpStatusCode.Forbidden);
        await http.PutAsync("api/dicom/nodes/SNEAKY", HttpAssertions.Json("""{"host":"h","port":104}""")).ShouldHaveStatus(HttpStatusCode.Forbidden);
        await anonymous.GetAsync("api/dicom/nodes").ShouldHaveStatus(HttpStatusCode.Unauthorized);
    }
}
