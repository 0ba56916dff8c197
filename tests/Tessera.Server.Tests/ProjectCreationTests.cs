using System.Net;
using Shouldly;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>A site that reserves project creation to administrators.</summary>
public sealed class AdminsOnlyServer : TestServer
{
    public AdminsOnlyServer() => Settings["Access:ProjectCreation"] = "Admins";
}

public sealed class ProjectCreationTests(AdminsOnlyServer server) : IClassFixture<AdminsOnlyServer>
{
    private static StringContent Body(string id) => HttpAssertions.Json($$"""{"id":"{{id}}","name":"N"}""");

    [Fact]
    public async Task AdminsOnly_UserGets403WithReason_AdminCreates_AndMayHandOwnership()
    {
        var user = await server.CreateUserAsync();
        using var asUser = server.Http(user);
        var refused = await asUser.PostAsync("api/projects", Body("mine")).ShouldHaveStatus(HttpStatusCode.Forbidden);
        (await refused.ReadProblem()).GetProperty("detail").GetString()!.ShouldContain("administrator");

        using var admin = server.Admin();
        await admin.PostAsync("api/projects", Body("granted")).ShouldHaveStatus(HttpStatusCode.Created);
        await admin.PutAsync($"api/projects/granted/members/{user}", HttpAssertions.Json("""{"role":"owner"}"""))
            .ShouldHaveStatus(HttpStatusCode.Created);
        await asUser.GetAsync("api/projects/granted").ShouldHaveStatus(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AdminsOnly_AnonymousStill401()
    {
        using var anonymous = server.Http();
        await anonymous.PostAsync("api/projects", Body("anon")).ShouldHaveStatus(HttpStatusCode.Unauthorized);
    }
}
