using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Shouldly;
using Tessera.Client;
using Tessera.Client.Contracts;
using Tessera.Server.Tests.Infrastructure;
using static Tessera.Server.Tests.Infrastructure.HttpAssertions;

namespace Tessera.Server.Tests;

public sealed class AccountApiTests(TestServer server) : IClassFixture<TestServer>
{
    [Fact]
    public async Task WrongPassword_401ProblemWithChallenge()
    {
        using var http = server.Http("admin", "wrong-password");
        var response = await http.GetAsync("api/users/me").ShouldHaveStatus(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ShouldNotBeEmpty();
        (await response.ReadProblem()).GetProperty("status").GetInt32().ShouldBe(401);
    }

    [Fact]
    public async Task UnknownUser_401()
    {
        using var http = server.Http("nobody-here", "whatever-password");
        await http.GetAsync("api/projects").ShouldHaveStatus(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task CreateUser_ByAdmin_201_AndDuplicateIs409()
    {
        using var http = server.Admin();
        await http.PostAsync("api/users", Json("""{"username":"dana","password":"dana-password","email":"dana@example.org","admin":false}"""))
            .ShouldHaveStatus(HttpStatusCode.Created);
        await http.PostAsync("api/users", Json("""{"username":"dana","password":"dana-password"}"""))
            .ShouldHaveStatus(HttpStatusCode.Conflict);
        using var dana = server.Http("dana", "dana-password");
        (await (await dana.GetAsync("api/users/me")).ReadJson<UserDto>()).Username.ShouldBe("dana");
    }

    [Fact]
    public async Task CreateUser_ShortPassword_400()
    {
        using var http = server.Admin();
        await http.PostAsync("api/users", Json("""{"username":"shorty","password":"short"}""")).ShouldHaveStatus(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Token_CreatedShownOnce_AuthenticatesUntilDeleted()
    {
        var user = await server.CreateUserAsync();
        using var client = new TesseraClient(server.Http(user));
        var token = await client.CreateTokenAsync(new CreateTokenRequest("laptop", 30));
        token.Token.ShouldStartWith("tsr_");

        using var bearer = server.Http();
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        (await (await bearer.GetAsync("api/users/me")).ReadJson<UserDto>()).Username.ShouldBe(user);

        using var owner = server.Http(user);
        var listed = await (await owner.GetAsync("api/tokens")).ReadJson<List<TokenDto>>();
        listed.ShouldHaveSingleItem().Name.ShouldBe("laptop");
        (await owner.GetStringAsync("api/tokens")).ShouldNotContain(token.Token);

        await owner.DeleteAsync($"api/tokens/{token.Id}").ShouldHaveStatus(HttpStatusCode.NoContent);
        await bearer.GetAsync("api/users/me").ShouldHaveStatus(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ProjectScopedToken_SeesOnlyItsProject()
    {
        var user = await server.CreateUserAsync();
        var mine = await server.CreateProjectAsync(user);
        var other = await server.CreateProjectAsync(user);
        using var client = new TesseraClient(server.Http(user));
        var token = await client.CreateTokenAsync(new CreateTokenRequest("scoped", 1, mine));

        using var bearer = server.Http();
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        await bearer.GetAsync($"api/projects/{mine}").ShouldHaveStatus(HttpStatusCode.OK);
        await bearer.GetAsync($"api/projects/{other}").ShouldHaveStatus(HttpStatusCode.NotFound);
        var list = await (await bearer.GetAsync("api/projects")).ReadJson<PageDto<ProjectDto>>();
        list.Items.Select(p => p.Id).ShouldBe([mine]);
    }

    /// <summary>A project-scoped token makes no tokens (regression: a one-day token minted a ten-year one that outlived its revocation).</summary>
    [Fact]
    public async Task AProjectScopedToken_MakesNoTokens()
    {
        var user = await server.CreateUserAsync();
        var mine = await server.CreateProjectAsync(user);
        using var client = new TesseraClient(server.Http(user));
        var scoped = await client.CreateTokenAsync(new CreateTokenRequest("scoped", 1, mine));
        using var bearer = server.Http();
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", scoped.Token);

        var minted = await bearer.PostAsync("api/tokens", Json("""{"name":"minted","expiresInDays":3650}""")).ShouldHaveStatus(HttpStatusCode.Forbidden);

        (await minted.ReadProblem()).GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain("cannot make other tokens");
        using var owner = server.Http(user);
        (await (await owner.GetAsync("api/tokens")).ReadJson<List<TokenDto>>()).Select(t => t.Name).ShouldBe(["scoped"]);
    }

    [Fact]
    public async Task AProjectScopedToken_StaysOutOfTheRestOfTheAccount()
    {
        var user = await server.CreateUserAsync();
        var mine = await server.CreateProjectAsync(user);
        using var client = new TesseraClient(server.Http(user));
        var scoped = await client.CreateTokenAsync(new CreateTokenRequest("scoped", 1, mine));
        var everywhere = await client.CreateTokenAsync(new CreateTokenRequest("everywhere", 1));
        using var bearer = server.Http();
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", scoped.Token);

        var listed = await (await bearer.GetAsync("api/tokens").ShouldHaveStatus(HttpStatusCode.OK)).ReadJson<List<TokenDto>>();
        await bearer.DeleteAsync($"api/tokens/{everywhere.Id}").ShouldHaveStatus(HttpStatusCode.NotFound);
        var password = await bearer.PutAsync("api/users/me/password",
            Json($$"""{"currentPassword":"{{TestServer.PasswordOf(user)}}","newPassword":"another-password-1"}""")).ShouldHaveStatus(HttpStatusCode.Forbidden);

        listed.Select(t => t.Name).ShouldBe(["scoped"]);
        (await password.ReadProblem()).GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain("cannot change the account's password");
        using var owner = server.Http(user);
        await owner.GetAsync("api/users/me").ShouldHaveStatus(HttpStatusCode.OK);
        (await (await owner.GetAsync("api/tokens")).ReadJson<List<TokenDto>>()).Select(t => t.Name).ShouldBe(["scoped", "everywhere"]);
    }

    [Fact]
    public async Task DisabledUser_401_EvenRightAfterASuccessfulSignIn()
    {
        var user = await server.CreateUserAsync();
        using (var before = server.Http(user))
        {
            await before.GetAsync("api/users/me").ShouldHaveStatus(HttpStatusCode.OK);
        }
        using var admin = server.Admin();
        await admin.PatchAsync($"api/users/{user}", Json("""{"disabled":true}""")).ShouldHaveStatus(HttpStatusCode.OK);
        using var http = server.Http(user);
        await http.GetAsync("api/users/me").ShouldHaveStatus(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Projects_ListShowsOwnAndPublic_NotOthersPrivate()
    {
        var alice = await server.CreateUserAsync();
        var bob = await server.CreateUserAsync();
        var alicePrivate = await server.CreateProjectAsync(alice);
        var alicePublic = await server.CreateProjectAsync(alice, Visibility.Public);
        var bobPrivate = await server.CreateProjectAsync(bob);
        using var http = server.Http(alice);
        var ids = (await (await http.GetAsync("api/projects?limit=1000")).ReadJson<PageDto<ProjectDto>>()).Items.Select(p => p.Id).ToList();
        ids.ShouldContain(alicePrivate);
        ids.ShouldContain(alicePublic);
        ids.ShouldNotContain(bobPrivate);
    }

    [Fact]
    public async Task CreateProject_DuplicateIs409_InvalidIdIs400()
    {
        var project = await server.CreateProjectAsync();
        using var http = server.Admin();
        await http.PostAsync("api/projects", Json($$"""{"id":"{{project}}"}""")).ShouldHaveStatus(HttpStatusCode.Conflict);
        await http.PostAsync("api/projects", Json("""{"id":"no spaces"}""")).ShouldHaveStatus(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Members_LastOwnerCannotLeave_409()
    {
        var owner = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(owner);
        using var http = server.Http(owner);
        await http.DeleteAsync($"api/projects/{project}/members/{owner}").ShouldHaveStatus(HttpStatusCode.Conflict);
        await http.PutAsync($"api/projects/{project}/members/nobody-at-all", Json("""{"role":"member"}""")).ShouldHaveStatus(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Audit_RecordsWritesAndPrivateFileReads_OwnerSeesOwnProject()
    {
        var owner = await server.CreateUserAsync();
        var member = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(owner);
        using var http = server.Http(owner);
        await http.PutAsync($"api/projects/{project}/members/{member}", Json("""{"role":"member"}""")).ShouldHaveStatus(HttpStatusCode.Created);
        await http.PutAsync($"api/projects/{project}/resources/R/files/a.txt", new StringContent("a")).ShouldHaveStatus(HttpStatusCode.Created);
        await http.GetAsync($"api/projects/{project}/resources/R/files/a.txt").ShouldHaveStatus(HttpStatusCode.OK);
        // Entries are written once each response has completed: wait for both.
        var log = await Poll.UntilAsync(
            async () => await (await http.GetAsync($"api/audit?project={project}")).ReadJson<PageDto<AuditEntryDto>>(),
            page => page.Items.Count(e => e.Target.EndsWith("/files/a.txt", StringComparison.Ordinal)) >= 2,
            "the PUT and the GET of a.txt are in the audit log");

        log.Items.ShouldContain(e => e.Action.StartsWith("PUT ", StringComparison.Ordinal) && e.Target.EndsWith("/files/a.txt", StringComparison.Ordinal) && e.User == owner && e.Status == 201);
        log.Items.ShouldContain(e => e.Action.StartsWith("GET ", StringComparison.Ordinal) && e.Target.EndsWith("/files/a.txt", StringComparison.Ordinal) && e.ClientAddress != null);
        log.Items.ShouldAllBe(e => e.Project == project);

        using var asMember = server.Http(member);
        await asMember.GetAsync($"api/audit?project={project}").ShouldHaveStatus(HttpStatusCode.Forbidden);
        await asMember.GetAsync("api/audit").ShouldHaveStatus(HttpStatusCode.Forbidden);
        using var admin = server.Admin();
        await admin.GetAsync($"api/audit?user={owner}").ShouldHaveStatus(HttpStatusCode.OK);
    }

    [Fact]
    public async Task DeleteUser_RemovesMembershipsAndTokens_KeepsDataAndAudit_RefusesSelf()
    {
        var user = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync();
        using var http = server.Admin();
        await http.PutAsync($"api/projects/{project}/members/{user}", Json("""{"role":"member"}""")).ShouldHaveStatus(HttpStatusCode.Created);
        using (var asUser = server.Http(user))
        {
            await asUser.PutAsync($"api/projects/{project}/resources/R/files/kept.txt", new StringContent("kept")).ShouldHaveStatus(HttpStatusCode.Created);
        }
        using var client = new TesseraClient(server.Http(user));
        var token = await client.CreateTokenAsync(new CreateTokenRequest("laptop", 30));

        await http.DeleteAsync($"api/users/{user}").ShouldHaveStatus(HttpStatusCode.NoContent);

        (await (await http.GetAsync("api/users")).ReadJson<List<UserDto>>()).ShouldNotContain(u => u.Username == user);
        (await (await http.GetAsync($"api/projects/{project}/members")).Content.ReadAsStringAsync()).ShouldNotContain($"\"{user}\"");
        await http.GetAsync($"api/projects/{project}/resources/R/files/kept.txt").ShouldHaveStatus(HttpStatusCode.OK);
        using var bearer = server.Http();
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        await bearer.GetAsync("api/users/me").ShouldHaveStatus(HttpStatusCode.Unauthorized);
        using var removed = server.Http(user);
        await removed.GetAsync("api/users/me").ShouldHaveStatus(HttpStatusCode.Unauthorized);
        await Poll.UntilAsync(
            async () => await (await http.GetAsync($"api/audit?user={user}")).ReadJson<PageDto<AuditEntryDto>>(),
            page => page.Items.Any(e => e.Target.EndsWith("/files/kept.txt", StringComparison.Ordinal)),
            "the removed user's entries stay in the audit log");

        await http.DeleteAsync("api/users/admin").ShouldHaveStatus(HttpStatusCode.Conflict);
        await http.DeleteAsync($"api/users/{user}").ShouldHaveStatus(HttpStatusCode.NotFound);
        using var member = server.Http(await server.CreateUserAsync());
        await member.DeleteAsync("api/users/admin").ShouldHaveStatus(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task PasswordReset_ByAnAdmin_RevokesTheUsersTokens_AndARefusedPasswordChangesNothing()
    {
        var user = await server.CreateUserAsync();
        using var client = new TesseraClient(server.Http(user));
        var token = await client.CreateTokenAsync(new CreateTokenRequest("stolen", 30));
        using var bearer = server.Http();
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        using var admin = server.Admin();

        // A short password is refused before anything of the change is saved (it once made the user an admin anyway).
        await admin.PatchAsync($"api/users/{user}", Json("""{"admin":true,"password":"short"}""")).ShouldHaveStatus(HttpStatusCode.BadRequest);
        (await (await admin.GetAsync("api/users")).ReadJson<List<UserDto>>()).Single(u => u.Username == user).Admin.ShouldBeFalse();
        await bearer.GetAsync("api/users/me").ShouldHaveStatus(HttpStatusCode.OK);

        await admin.PatchAsync($"api/users/{user}", Json("""{"password":"reset-by-admin-1"}""")).ShouldHaveStatus(HttpStatusCode.OK);

        await bearer.GetAsync("api/users/me").ShouldHaveStatus(HttpStatusCode.Unauthorized);
        using var renewed = server.Http(user, "reset-by-admin-1");
        await renewed.GetAsync("api/users/me").ShouldHaveStatus(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ChangingOwnPassword_WithAToken_KeepsThatToken_RevokesTheOthers()
    {
        var user = await server.CreateUserAsync();
        using var client = new TesseraClient(server.Http(user));
        var used = await client.CreateTokenAsync(new CreateTokenRequest("this laptop", 30));
        var other = await client.CreateTokenAsync(new CreateTokenRequest("old laptop", 30));
        using var withUsed = server.Http();
        withUsed.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", used.Token);
        using var withOther = server.Http();
        withOther.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", other.Token);

        await withUsed.PutAsync("api/users/me/password", Json(JsonSerializer.Serialize(
            new ChangePasswordRequest(TestServer.PasswordOf(user), "a-new-password-1"), JsonSerializerOptions.Web))).ShouldHaveStatus(HttpStatusCode.NoContent);

        await withUsed.GetAsync("api/users/me").ShouldHaveStatus(HttpStatusCode.OK);
        await withOther.GetAsync("api/users/me").ShouldHaveStatus(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task DeleteUser_TheOnlyOwnerOfAProject_409NamingIt_AndTheProjectKeepsItsOwner()
    {
        var user = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(user);
        using var admin = server.Admin();

        var refused = await admin.DeleteAsync($"api/users/{user}").ShouldHaveStatus(HttpStatusCode.Conflict);

        (await refused.Content.ReadAsStringAsync()).ShouldContain(project);
        (await admin.GetStringAsync($"api/projects/{project}/members")).ShouldContain(user);
        await admin.PutAsync($"api/projects/{project}/members/admin", Json("""{"role":"owner"}""")).ShouldHaveStatus(HttpStatusCode.Created);
        await admin.DeleteAsync($"api/users/{user}").ShouldHaveStatus(HttpStatusCode.NoContent);
    }
}
