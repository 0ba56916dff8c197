using System.Net;
using System.Text.Json;
using Shouldly;
using Tessera.Client.Contracts;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.Infrastructure.HttpAssertions;

namespace Tessera.Server.Tests;

public sealed class HierarchyApiTests(TestServer server) : IClassFixture<TestServer>
{
    /// <summary>Project ids differ by more than case (regression: `PRIV` could be created beside `priv`).</summary>
    [Fact]
    public async Task AProjectId_ThatDiffersOnlyByCase_IsTaken()
    {
        var project = await server.CreateProjectAsync();
        using var http = server.Admin();

        var upper = await http.PostAsync("api/projects", Json($$"""{"id":"{{project.ToUpperInvariant()}}","name":"Look-alike"}""")).ShouldHaveStatus(HttpStatusCode.Conflict);

        (await upper.ReadProblem()).GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain("compared without case");
    }

    [Fact]
    public async Task PutSubject_CreatesThenUpdates_201Then200()
    {
        var project = await server.CreateProjectAsync();
        using var http = server.Admin();
        var created = await http.PutAsync($"api/projects/{project}/subjects/S1", Json("""{"description":"first","fields":{"age":40}}"""))
            .ShouldHaveStatus(HttpStatusCode.Created);
        var subject = await created.ReadJson<SubjectDto>();
        subject.Label.ShouldBe("S1");
        subject.Fields.GetProperty("age").GetInt32().ShouldBe(40);

        var updated = await http.PutAsync($"api/projects/{project}/subjects/S1", Json("""{"description":"second"}"""))
            .ShouldHaveStatus(HttpStatusCode.OK);
        var again = await updated.ReadJson<SubjectDto>();
        again.Id.ShouldBe(subject.Id);
        again.Description.ShouldBe("second");
        again.Fields.GetProperty("age").GetInt32().ShouldBe(40, "omitted fields are kept");
    }

    [Fact]
    public async Task PutSession_TypeAndDate_ListedUnderSubjectWithPaging()
    {
        var project = await server.CreateProjectAsync();
        using var http = server.Admin();
        await http.PutAsync($"api/projects/{project}/subjects/S1", null).ShouldHaveStatus(HttpStatusCode.Created);
        for (var i = 1; i <= 3; i++)
        {
            await http.PutAsync($"api/projects/{project}/subjects/S1/sessions/E{i}", Json("""{"type":"MR","date":"2024-05-01"}"""))
                .ShouldHaveStatus(HttpStatusCode.Created);
        }
        var subject = await (await http.GetAsync($"api/projects/{project}/subjects/S1?limit=2")).ReadJson<SubjectDto>();
        subject.Sessions!.Total.ShouldBe(3);
        subject.Sessions.Items.Select(s => s.Label).ShouldBe(["E1", "E2"]);
        subject.Sessions.Items[0].Type.ShouldBe("MR");
        subject.Sessions.Items[0].Date.ShouldBe(new DateOnly(2024, 5, 1));
    }

    [Fact]
    public async Task PutScan_Quality_RoundTrips_AndBadQualityIs400()
    {
        var project = await server.CreateProjectAsync();
        using var http = server.Admin();
        await http.PutAsync($"api/projects/{project}/subjects/S1", null);
        await http.PutAsync($"api/projects/{project}/subjects/S1/sessions/E1", null);
        var scan = await (await http.PutAsync($"api/projects/{project}/subjects/S1/sessions/E1/scans/7",
            Json("""{"type":"T1w","quality":"questionable"}"""))).ReadJson<ScanDto>();
        scan.Quality.ShouldBe(Quality.Questionable);
        await http.PutAsync($"api/projects/{project}/subjects/S1/sessions/E1/scans/8", Json("""{"quality":"great"}"""))
            .ShouldHaveStatus(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("bad%20label")]
    [InlineData("%C3%A9")]
    public async Task PutSubject_InvalidLabel_400WithRule(string label)
    {
        var project = await server.CreateProjectAsync();
        using var http = server.Admin();
        var response = await http.PutAsync($"api/projects/{project}/subjects/{label}", null).ShouldHaveStatus(HttpStatusCode.BadRequest);
        (await response.ReadProblem()).GetProperty("detail").GetString()!.ShouldContain("1 to 64");
    }

    [Fact]
    public async Task PutSession_UnderMissingSubject_404()
    {
        var project = await server.CreateProjectAsync();
        using var http = server.Admin();
        await http.PutAsync($"api/projects/{project}/subjects/NOPE/sessions/E1", null).ShouldHaveStatus(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PutSubject_MalformedJson_400NotServerError()
    {
        var project = await server.CreateProjectAsync();
        using var http = server.Admin();
        await http.PutAsync($"api/projects/{project}/subjects/S1", Json("{\"fields\":")).ShouldHaveStatus(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task PutSubject_SameLabelConcurrently_OneSubjectNo500()
    {
        var project = await server.CreateProjectAsync();
        var statuses = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var http = server.Admin();
            return (await http.PutAsync($"api/projects/{project}/subjects/RACE", null)).StatusCode;
        }));
        statuses.Count(s => s == HttpStatusCode.Created).ShouldBe(1);
        statuses.ShouldAllBe(s => s == HttpStatusCode.Created || s == HttpStatusCode.OK);
        using var check = server.Admin();
        (await (await check.GetAsync($"api/projects/{project}/subjects")).ReadJson<PageDto<SubjectDto>>()).Total.ShouldBe(1);
    }

    [Fact]
    public async Task DeleteSubject_RemovesSessionsScansAndFiles()
    {
        var project = await server.CreateProjectAsync();
        using var http = server.Admin();
        await http.PutAsync($"api/projects/{project}/subjects/S1", null);
        await http.PutAsync($"api/projects/{project}/subjects/S1/sessions/E1", null);
        await http.PutAsync($"api/projects/{project}/subjects/S1/sessions/E1/scans/1", null);
        await http.PutAsync($"api/projects/{project}/subjects/S1/sessions/E1/scans/1/resources/R/files/f", new StringContent("f"))
            .ShouldHaveStatus(HttpStatusCode.Created);
        await http.DeleteAsync($"api/projects/{project}/subjects/S1").ShouldHaveStatus(HttpStatusCode.NoContent);
        await http.GetAsync($"api/projects/{project}/subjects/S1").ShouldHaveStatus(HttpStatusCode.NotFound);
        await http.PutAsync($"api/projects/{project}/subjects/S1", null).ShouldHaveStatus(HttpStatusCode.Created);
        await http.GetAsync($"api/projects/{project}/subjects/S1/sessions/E1").ShouldHaveStatus(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task CustomFieldSchema_ViolatingWrite_400ListingEveryViolation()
    {
        var project = await server.CreateProjectAsync();
        using var http = server.Admin();
        await http.PutAsync($"api/projects/{project}/schemas/subject", Json("""
            {"type":"object","required":["age"],"properties":{"age":{"type":"integer","minimum":0},"site":{"type":"string","enum":["A","B"]}}}
            """)).ShouldHaveStatus(HttpStatusCode.OK);

        var response = await http.PutAsync($"api/projects/{project}/subjects/S1", Json("""{"fields":{"site":"C"}}"""))
            .ShouldHaveStatus(HttpStatusCode.BadRequest);
        var errors = (await response.ReadProblem()).GetProperty("errors").EnumerateArray().Select(e => e.GetString()).ToList();
        errors.Count.ShouldBe(2);
        errors.ShouldContain(e => e!.Contains("age", StringComparison.Ordinal));
        errors.ShouldContain(e => e!.Contains("site", StringComparison.Ordinal));

        await http.PutAsync($"api/projects/{project}/subjects/S1", Json("""{"fields":{"age":3,"site":"A"}}"""))
            .ShouldHaveStatus(HttpStatusCode.Created);
        var schema = await (await http.GetAsync($"api/projects/{project}/schemas/subject")).ReadJson<JsonElement>();
        schema.GetProperty("required")[0].GetString().ShouldBe("age");
    }

    [Fact]
    public async Task CustomFieldSchema_NotASchema_400()
    {
        var project = await server.CreateProjectAsync();
        using var http = server.Admin();
        await http.PutAsync($"api/projects/{project}/schemas/subject", Json("[1,2]")).ShouldHaveStatus(HttpStatusCode.BadRequest);
        await http.PutAsync($"api/projects/{project}/schemas/animal", Json("{}")).ShouldHaveStatus(HttpStatusCode.BadRequest);
    }
}
