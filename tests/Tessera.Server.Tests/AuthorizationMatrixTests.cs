using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Tessera.Client;
using Tessera.Client.Contracts;
using Tessera.Server.Auth;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// Walks every mapped endpoint as anonymous, outsider, collaborator, member, owner and admin
/// against a private project and checks the answer against the endpoint's declared rule. A new
/// endpoint without a rule, or without a sample request here, fails the walk.
/// </summary>
public sealed class AuthorizationMatrixTests(TestServer server) : IClassFixture<TestServer>
{
    private static readonly string[] s_roles = ["anonymous", "outsider", "collaborator", "member", "owner", "admin"];

    [Fact]
    public void EveryEndpoint_DeclaresAnAccessRule()
    {
        var missing = Endpoints().Where(e => e.Rule is null).Select(e => e.Pattern).ToList();
        missing.ShouldBeEmpty("endpoints without .WithAccess(...)");
    }

    [Fact]
    public void DicomWebRenderedResources_AreMappedOnBothServices_WithTheReadRule()
    {
        var endpoints = Endpoints();
        string[] resources = ["/studies/{study}", "/studies/{study}/series/{series}", "/studies/{study}/series/{series}/instances/{instance}",
            "/studies/{study}/series/{series}/instances/{instance}/frames/{frames}"];
        foreach (var (service, rule) in new[] { ("/dicom-web", AccessRule.ReadableProjects), ("/dicom-web/projects/{p}", AccessRule.ProjectRead) })
        {
            foreach (var pattern in resources.SelectMany(r => new[] { $"{service}{r}/rendered", $"{service}{r}/thumbnail" }))
                endpoints.ShouldContain(e => e.Pattern == pattern && e.Rule == rule, pattern);
        }
    }

    [Fact]
    public void UserRemoval_IsForAdmins()
    {
        Endpoints().ShouldContain(e => e.Pattern == "/api/users/{username}" && e.Methods.Contains("DELETE") && e.Rule == AccessRule.Admin);
    }

    [Fact]
    public async Task EveryEndpoint_AnswersEachRoleAsItsRuleSays()
    {
        var users = await CreateUsersAsync();
        var shared = await World.CreateAsync(server, users);
        var failures = new List<string>();
        foreach (var endpoint in Endpoints())
        {
            foreach (var method in endpoint.Methods)
            {
                foreach (var role in s_roles)
                {
                    // Writes get a fresh world each so that one role's delete does not change the next role's answer.
                    var world = method is "GET" or "HEAD" ? shared : await World.CreateAsync(server, users);
                    // Removing a user removes them for every later world: each role removes a user of its own.
                    if (method == "DELETE" && endpoint.Pattern == "/api/users/{username}")
                        world = world with { Extra = await server.CreateUserAsync() };
                    using var http = role == "anonymous" ? server.Http(followRedirects: false)
                        : role == "admin" ? server.Http("admin", TestServer.AdminPassword, followRedirects: false)
                        : server.Http(users[role], followRedirects: false);
                    using var request = BuildRequest(method, endpoint.Pattern, world, role == "admin" ? "admin" : users.GetValueOrDefault(role),
                        await OwnTokenIdAsync(http, endpoint.Pattern));
                    int status;
                    try
                    {
                        using var response = await http.SendAsync(request);
                        status = (int)response.StatusCode;
                    }
                    catch (HttpRequestException e)
                    {
                        failures.Add($"{method} {endpoint.Pattern} as {role}: the response broke off ({e.Message})");
                        continue;
                    }
                    var expected = Expect(endpoint.Rule!.Value, role, IsPage(endpoint.Pattern), Retrieves(endpoint.Pattern), CallsAPeer(endpoint.Pattern) || ServesImages(endpoint.Pattern));
                    if (!expected.Matches(status))
                    {
                        failures.Add($"{method} {endpoint.Pattern} as {role}: {status}, expected {expected.Text}");
                    }
                }
            }
        }
        failures.ShouldBeEmpty();
    }

    /// <summary>The walk asks for the mapping as JSON; its CSV form answers the same roles (the world keeps no mapping: 409 for owners).</summary>
    [Fact]
    public async Task PseudonymMapping_JsonAndCsv_AreForOwnersAndAdminsOnly()
    {
        Endpoints().ShouldContain(e => e.Pattern == PseudonymsRoute && e.Rule == AccessRule.ProjectManage);
        var users = await CreateUsersAsync();
        var world = await World.CreateAsync(server, users);
        foreach (var role in s_roles)
        {
            using var http = role == "anonymous" ? server.Http(followRedirects: false)
                : role == "admin" ? server.Http("admin", TestServer.AdminPassword, followRedirects: false)
                : server.Http(users[role], followRedirects: false);
            var expected = role switch
            {
                "anonymous" or "outsider" => (HttpStatusCode.NotFound, HttpStatusCode.NotFound),
                "collaborator" or "member" => (HttpStatusCode.Forbidden, HttpStatusCode.Forbidden),
                _ => (HttpStatusCode.OK, HttpStatusCode.Conflict),
            };
            (await http.GetAsync($"api/projects/{world.Project}/dicom/pseudonyms")).StatusCode.ShouldBe(expected.Item1, role);
            (await http.GetAsync($"api/projects/{world.Project}/dicom/pseudonyms?format=csv")).StatusCode.ShouldBe(expected.Item2, role);
        }
    }

    [Fact]
    public async Task PublicProject_AnonymousReads_WritesNeedSignIn()
    {
        var users = await CreateUsersAsync();
        var project = await server.CreateProjectAsync(visibility: Visibility.Public);
        using var anonymous = server.Http();
        using var outsider = server.Http(users["outsider"]);
        (await anonymous.GetAsync($"api/projects/{project}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await anonymous.GetAsync($"api/projects/{project}/subjects")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await anonymous.PutAsync($"api/projects/{project}/subjects/S1", null)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await outsider.PutAsync($"api/projects/{project}/subjects/S1", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await outsider.DeleteAsync($"api/projects/{project}")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    private sealed record Expectation(string Text, Func<int, bool> Matches);

    private static Expectation Status(int code) => new(code.ToString(), s => s == code);

    private static readonly Expectation s_allowed = new("2xx", s => s is >= 200 and < 300);

    private static readonly Expectation s_passes = new("not 401/403/404", s => s is not (401 or 403 or 404) and < 500);

    /// <summary>A route that retrieves a named study (WADO-RS) or image (IIIF, Deep Zoom) rather than searching (QIDO-RS).</summary>
    private static bool Retrieves(string pattern) =>
        ServesImages(pattern)
        || pattern.Contains("{study}", StringComparison.Ordinal) && !pattern.EndsWith("/series", StringComparison.Ordinal) && !pattern.EndsWith("/instances", StringComparison.Ordinal);

    /// <summary>IIIF and Deep Zoom: the matrix's image is a text file, so allowed callers get past the rule, then 415 (or the base URI's redirect).</summary>
    private static bool ServesImages(string pattern) => pattern.Contains("{image:guid}", StringComparison.Ordinal);

    /// <summary>A route that talks with a remote DICOM node (the matrix's node listens nowhere): allowed callers get past the rule, then an error of the peer.</summary>
    private static bool CallsAPeer(string pattern) =>
        pattern.StartsWith("/api/projects/{p}/dicom/", StringComparison.Ordinal) && pattern != PseudonymsRoute;

    private const string PseudonymsRoute = "/api/projects/{p}/dicom/pseudonyms";

    /// <summary>Web pages send an anonymous visitor to the sign-in page where the API answers 401.</summary>
    private static bool IsPage(string pattern) =>
        !pattern.StartsWith("api/", StringComparison.Ordinal) && !pattern.StartsWith("/api/", StringComparison.Ordinal)
        && !pattern.StartsWith("/dicom-web", StringComparison.Ordinal) && !ServesImages(pattern)
        && !pattern.Contains("openapi", StringComparison.Ordinal) && !pattern.Contains("health", StringComparison.Ordinal);

    private static Expectation Expect(AccessRule rule, string role, bool page, bool retrieves, bool callsAPeer) => (rule, role) switch
    {
        (AccessRule.Public, _) => s_passes,
        (AccessRule.Authenticated or AccessRule.Admin or AccessRule.JobToken or AccessRule.NodeProjectWrite, "anonymous") => page ? Status(302) : Status(401),
        // The matrix's node serves the world's project and listens nowhere: its writers get past the rule, then the peer's error.
        (AccessRule.NodeProjectWrite, "outsider" or "collaborator") => Status(403),
        (AccessRule.NodeProjectWrite, _) => s_passes,
        (AccessRule.JobToken, _) => Status(403), // no user's own sign-in is a job's token
        (AccessRule.Admin, not "admin") => Status(403),
        (AccessRule.Authenticated or AccessRule.Admin, _) => s_passes,
        // Retrieval of a private study is hidden; searches answer (with nothing in them, checked by the QIDO tests).
        (AccessRule.ReadableProjects, "anonymous" or "outsider") => retrieves ? Status(404) : Status(200),
        (AccessRule.ReadableProjects, _) => callsAPeer ? s_passes : s_allowed,
        (_, "anonymous" or "outsider") => Status(404),
        (AccessRule.ProjectRead, _) => callsAPeer ? s_passes : s_allowed,
        (AccessRule.ProjectWrite, "collaborator") => Status(403),
        (AccessRule.ProjectWrite, _) => callsAPeer ? s_passes : s_allowed,
        (AccessRule.ProjectManage, "collaborator" or "member") => Status(403),
        (AccessRule.ProjectManage, _) => s_allowed,
        _ => throw new InvalidOperationException($"No expectation for {rule} as {role}."),
    };

    private List<(string Pattern, IReadOnlyList<string> Methods, AccessRule? Rule)> Endpoints() =>
        server.App.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Select(e => (
                Pattern: e.RoutePattern.RawText ?? "",
                Methods: e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? (IReadOnlyList<string>)["GET"],
                Rule: e.Metadata.GetMetadata<AccessAttribute>()?.Rule))
            .ToList();

    /// <summary>For token routes, a token of the caller's own (anonymous callers get a random id).</summary>
    private static async Task<Guid> OwnTokenIdAsync(HttpClient http, string pattern)
    {
        if (!pattern.Contains("{id:guid}", StringComparison.Ordinal) || http.DefaultRequestHeaders.Authorization is null)
        {
            return Guid.NewGuid();
        }
        using var client = new TesseraClient(new HttpClient { BaseAddress = http.BaseAddress, DefaultRequestHeaders = { Authorization = http.DefaultRequestHeaders.Authorization } });
        return (await client.CreateTokenAsync(new CreateTokenRequest("matrix", 1))).Id;
    }

    private static HttpRequestMessage BuildRequest(string method, string pattern, World world, string? caller, Guid tokenId)
    {
        // DICOM media are made of the DICOM instances of a session or scan: the world's DICOM one, not S/E.
        if (pattern.EndsWith("/dicom-media", StringComparison.Ordinal))
        {
            pattern = pattern.Replace("subjects/{s}/sessions/{e}", world.DicomSession, StringComparison.Ordinal);
            if (pattern == "/api/projects/{p}/dicom-media")
                pattern += "?StudyInstanceUID={study}";
        }
        var url = pattern
            .Replace("{p}", world.Project, StringComparison.Ordinal)
            .Replace("{s}", "S", StringComparison.Ordinal)
            .Replace("{e}", "E", StringComparison.Ordinal)
            .Replace("{n}", "1", StringComparison.Ordinal)
            .Replace("{r}", "R", StringComparison.Ordinal)
            .Replace("{*path}", "dir/f.txt", StringComparison.Ordinal)
            .Replace("{type}", "subject", StringComparison.Ordinal)
            .Replace("{username}", world.Extra, StringComparison.Ordinal)
            .Replace("{id:guid}", tokenId.ToString(), StringComparison.Ordinal)
            .Replace("{documentName}", "v1", StringComparison.Ordinal)
            .Replace("{study}", world.Study, StringComparison.Ordinal)
            .Replace("{series}", world.Series, StringComparison.Ordinal)
            .Replace("{instance}", world.Instance, StringComparison.Ordinal)
            .Replace("{frames}", "1", StringComparison.Ordinal)
            .Replace("{*tag}", "7FE00010", StringComparison.Ordinal)
            .Replace("{aeTitle}", "MATRIX_AE", StringComparison.Ordinal)
            .Replace("{tool}", pattern.StartsWith("/api/projects/{p}/tools/", StringComparison.Ordinal) ? world.ProjectTool : World.SiteTool, StringComparison.Ordinal)
            .Replace("{job:guid}", world.Job.ToString(), StringComparison.Ordinal)
            .Replace("{*name}", World.AssessmentType, StringComparison.Ordinal)
            .Replace("{name}", World.Rule, StringComparison.Ordinal)
            .Replace("{batch:guid}", world.Batch.ToString(), StringComparison.Ordinal)
            .Replace("{image:guid}", world.Image.ToString(), StringComparison.Ordinal)
            .Replace("{region}", "full", StringComparison.Ordinal)
            .Replace("{size}", "max", StringComparison.Ordinal)
            .Replace("{rotation}", "0", StringComparison.Ordinal)
            .Replace("{quality}", "default.jpg", StringComparison.Ordinal)
            .Replace("{level:int}", "0", StringComparison.Ordinal)
            .Replace("{column:int}", "0", StringComparison.Ordinal)
            .Replace("{row:int}", "0", StringComparison.Ordinal);
        if (url.Contains('{', StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"No sample value for a parameter of {pattern}: add one to this test.");
        }
        if (url == "/api/audit")
        {
            url += $"?project={world.Project}";
        }
        if (pattern.StartsWith("/dicom-web/studies", StringComparison.Ordinal) && method == "POST")
        {
            url += $"?project={world.Project}";
        }
        var request = new HttpRequestMessage(new HttpMethod(method), url.TrimStart('/'));
        var unique = "n" + Guid.NewGuid().ToString("N")[..12];
        var password = caller == "admin" ? TestServer.AdminPassword : caller is null ? "not-signed-in" : TestServer.PasswordOf(caller);
        var body = (method, pattern) switch
        {
            ("GET" or "HEAD" or "DELETE", _) => null,
            (_, "/api/users/") => $"{{\"username\":\"{unique}\",\"password\":\"long-enough-1\"}}",
            (_, "/api/users/me/password") => $"{{\"currentPassword\":\"{password}\",\"newPassword\":\"{password}\"}}",
            (_, "/api/users/{username}") => "{\"email\":\"extra@example.org\"}",
            (_, "/api/tokens/") => "{\"name\":\"t\",\"expiresInDays\":1}",
            (_, "/api/projects/") => $"{{\"id\":\"{unique}\"}}",
            (_, "/api/projects/{p}") => "{\"description\":\"changed\"}",
            (_, "/api/projects/{p}/members/{username}") => "{\"role\":\"collaborator\"}",
            (_, "/api/projects/{p}/schemas/{type}") => "{\"type\":\"object\"}",
            (_, "/api/dicom/nodes/{aeTitle}") => "{\"host\":\"127.0.0.1\",\"port\":104}",
            (_, "/api/tools/" or "/api/projects/{p}/tools/") => World.Descriptor(unique),
            (_, var p) when p.EndsWith("/deprecation", StringComparison.Ordinal) => "{\"deprecated\":false}",
            (_, "/api/projects/{p}/jobs/") => $"{{\"tool\":\"{World.SiteTool}\",\"target\":\"subjects/S/sessions/E\"}}",
            (_, "/api/projects/{p}/batches/") => $"{{\"tool\":\"{World.SiteTool}\"}}",
            (_, "/api/projects/{p}/triggers/{name}") => $"{{\"tool\":\"{World.SiteTool}\",\"event\":\"file\",\"glob\":\"**/*.x\"}}",
            (_, "/api/projects/{p}/pipeline-settings/") => "{\"executor\":\"local\"}",
            (_, "/api/jobs/{job:guid}/run/log") => "{\"segments\":[]}",
            (_, "/api/assessment-types/{*name}") => "{\"schema\":{\"type\":\"object\"}}",
            (_, "/api/projects/{p}/dicom/send") => "{\"node\":\"MATRIX_AE\",\"target\":\"subjects/S/sessions/E\"}",
            (_, "/api/projects/{p}/dicom/retrieve") => "{\"node\":\"MATRIX_AE\",\"level\":\"STUDY\",\"keys\":{\"StudyInstanceUID\":\"1.2.3\"}}",
            (_, var p) when p.StartsWith("/api/dicom/nodes/{aeTitle}/", StringComparison.Ordinal) => "{\"level\":\"STUDY\"}",
            (_, var p) when p.EndsWith("/files/{*path}", StringComparison.Ordinal) => "file content",
            _ => "{}",
        };
        if (pattern.StartsWith("/dicom-web", StringComparison.Ordinal) && method == "POST")
        {
            var stow = new MultipartContent("related", "matrix");
            stow.Headers.ContentType!.Parameters.Add(new System.Net.Http.Headers.NameValueHeaderValue("type", "\"application/dicom\""));
            stow.Add(new ByteArrayContent(TestDicom.Create(world.Study, world.Series, world.Instance)) { Headers = { ContentType = new("application/dicom") } });
            request.Content = stow;
        }
        else if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8,
                pattern.EndsWith("/files/{*path}", StringComparison.Ordinal) ? "text/plain" : "application/json");
        }
        return request;
    }

    private async Task<Dictionary<string, string>> CreateUsersAsync()
    {
        var users = new Dictionary<string, string>();
        foreach (var role in new[] { "outsider", "collaborator", "member", "owner", "extra" })
        {
            users[role] = await server.CreateUserAsync();
        }
        return users;
    }

    /// <summary>
    /// A private project with one subject S, session E, scan 1, and resource R holding dir/f.txt on
    /// every level, and one DICOM instance (a study of its own).
    /// </summary>
    private sealed record World(string Project, string Extra, string Study, string Series, string Instance, string ProjectTool, Guid Job, Guid Batch, Guid Image,
        string DicomSession)
    {
        public const string SiteTool = "matrix-tool@1";
        public const string Rule = "matrix-rule";
        public const string AssessmentType = "matrix/type";

        public static string Descriptor(string name) => $$"""
            {"name":"{{name}}","tool-version":"1","description":"d","schema-version":"0.5","command-line":"exit 0",
             "inputs":[{"id":"x","name":"X","type":"String","optional":true}]}
            """;

        public static async Task<World> CreateAsync(TestServer server, Dictionary<string, string> users)
        {
            var project = await server.CreateProjectAsync();
            using var client = new TesseraClient(server.Admin());
            await client.SetMemberAsync(project, users["collaborator"], Role.Collaborator);
            await client.SetMemberAsync(project, users["member"], Role.Member);
            await client.SetMemberAsync(project, users["owner"], Role.Owner);
            await client.SetMemberAsync(project, users["extra"], Role.Collaborator);
            await client.PutEntityAsync(project, "subjects/S");
            await client.PutEntityAsync(project, "subjects/S/sessions/E");
            await client.PutEntityAsync(project, "subjects/S/sessions/E/scans/1");
            var image = Guid.Empty;
            foreach (var owner in new[] { "", "subjects/S", "subjects/S/sessions/E", "subjects/S/sessions/E/scans/1" })
            {
                var file = await client.UploadFileAsync(project, owner, "R", "dir/f.txt", new MemoryStream("hello"u8.ToArray()));
                image = image == Guid.Empty ? file.Id : image;
            }
            // The scan's thumbnail (and so the session's) is made from this picture.
            var picture = new Tessera.Imaging.Pixels.RasterImage(8, 8, 1, Enumerable.Range(0, 64).Select(i => (byte)(i * 4)).ToArray());
            await client.UploadFileAsync(project, "subjects/S/sessions/E/scans/1", "R", "pic.png", new MemoryStream(Tessera.Imaging.Encoding.PngEncoder.Encode(picture)));
            var (study, series, instance) = (TestDicom.NewUid(), TestDicom.NewUid(), TestDicom.NewUid());
            var imported = await client.ImportFileAsync(project, "ct.dcm", new MemoryStream(TestDicom.Create(study, series, instance)));
            var dicomSession = imported.Sessions.Single();
            using (var admin = server.Admin())
                (await admin.PutAsync("api/dicom/nodes/MATRIX_AE", HttpAssertions.Json(
                    $"{{\"host\":\"127.0.0.1\",\"port\":104,\"project\":\"{project}\",\"allow\":[\"echo\",\"store\",\"find\",\"move\",\"get\"]}}"))).EnsureSuccessStatusCode();
            using (var admin = server.Admin())
            {
                if ((await admin.GetAsync($"api/tools/{SiteTool}")).StatusCode == HttpStatusCode.NotFound)
                    (await admin.PostAsync("api/tools", HttpAssertions.Json(Descriptor("matrix-tool")))).EnsureSuccessStatusCode();
                (await admin.PutAsync($"api/assessment-types/{AssessmentType}", HttpAssertions.Json("{\"schema\":{\"type\":\"object\"}}"))).EnsureSuccessStatusCode();
                var projectTool = "matrix-" + project;
                (await admin.PostAsync($"api/projects/{project}/tools", HttpAssertions.Json(Descriptor(projectTool)))).EnsureSuccessStatusCode();
                using var job = await admin.PostAsync($"api/projects/{project}/jobs", HttpAssertions.Json($$"""{"tool":"{{SiteTool}}","target":"subjects/S/sessions/E"}"""));
                var id = (await job.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JobDto>())!.Id;
                using var batch = await admin.PostAsync($"api/projects/{project}/batches", HttpAssertions.Json($$"""{"tool":"{{SiteTool}}"}"""));
                var batchId = (await batch.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<BatchDto>())!.Id;
                (await admin.PutAsync($"api/projects/{project}/triggers/{Rule}", HttpAssertions.Json($$"""{"tool":"{{SiteTool}}","event":"file","glob":"**/*.x"}"""))).EnsureSuccessStatusCode();
                return new World(project, users["extra"], study, series, instance, projectTool + "@1", id, batchId, image, dicomSession);
            }
        }
    }
}
