using System.Net;
using System.Text.Json;
using Shouldly;
using Tessera.Client;
using Tessera.Client.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Cli;

/// <summary><c>tessera login</c> without a terminal, <c>whoami</c>, <c>logout</c> and <c>users</c>, through the real CLI.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CliAccountTests(TestServer server) : IClassFixture<TestServer>, IDisposable
{
    private readonly CliProcess _cli = new();

    public void Dispose() => _cli.Dispose();

    private string Url => server.BaseAddress.ToString();

    private Task UseTokenOfAsync(string username) => _cli.UseTokenOfAsync(server, username);

    private string SavedToken() =>
        JsonDocument.Parse(File.ReadAllText(_cli.ConfigFile)).RootElement.GetProperty("token").GetString()!;

    [Fact]
    public async Task Login_StdinNotATerminalWithoutPasswordOption_Exit2PointingToPasswordStdin()
    {
        var user = await server.CreateUserAsync();

        // As `tessera login URL --username ana </dev/null`: no prompt can be shown.
        var result = await _cli.RunAsync("login", Url, "--username", user);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldStartWith("error: Standard input is not a terminal");
        result.Stderr.ShouldContain("--password-stdin");
        result.Stderr.ShouldContain("TESSERA_PASSWORD");
        result.Stderr.ShouldNotContain("Exception");
        File.Exists(_cli.ConfigFile).ShouldBeFalse();

        var noUser = await _cli.RunWithInputAsync(TestServer.PasswordOf(user), "login", Url, "--password-stdin");
        noUser.ExitCode.ShouldBe(2, noUser.ToString());
        noUser.Stderr.ShouldContain("--username");
    }

    [Fact]
    public async Task Login_PasswordStdinOrEnvironment_Works()
    {
        var user = await server.CreateUserAsync();
        var piped = await _cli.RunWithInputAsync(TestServer.PasswordOf(user), "login", Url, "-u", user, "--password-stdin");
        piped.ExitCode.ShouldBe(0, piped.ToString());

        File.Delete(_cli.ConfigFile);
        _cli.Environment["TESSERA_PASSWORD"] = TestServer.PasswordOf(user);
        var fromEnvironment = await _cli.RunAsync("login", Url, "-u", user);
        fromEnvironment.ExitCode.ShouldBe(0, fromEnvironment.ToString());
        File.Exists(_cli.ConfigFile).ShouldBeTrue();
    }

    [Fact]
    public async Task Whoami_AfterLogin_UserServerAndExpiry_AdminMarked()
    {
        var user = await server.CreateUserAsync();
        (await _cli.RunWithInputAsync(TestServer.PasswordOf(user), "login", Url, "-u", user, "--password-stdin", "--days", "7")).ExitCode.ShouldBe(0);

        var me = await _cli.RunAsync("whoami");
        me.ExitCode.ShouldBe(0, me.ToString());
        me.Stdout.ShouldStartWith($"{user} on {Url}");
        me.Stdout.ShouldNotContain("administrator");
        me.Stdout.ShouldContain($"expires {DateTime.UtcNow.AddDays(7):yyyy-MM-dd}");

        var json = JsonDocument.Parse((await _cli.RunAsync("whoami", "--json")).Stdout).RootElement;
        json.GetProperty("username").GetString().ShouldBe(user);
        json.GetProperty("admin").GetBoolean().ShouldBeFalse();
        json.GetProperty("server").GetString().ShouldBe(Url);

        await UseTokenOfAsync("admin");
        var admin = await _cli.RunAsync("whoami");
        admin.Stdout.ShouldStartWith($"admin (site administrator) on {Url}");
        admin.Stdout.ShouldContain("token from TESSERA_TOKEN");
    }

    [Fact]
    public async Task Whoami_NotLoggedIn_Exit3()
    {
        var result = await _cli.RunAsync("whoami");
        result.ExitCode.ShouldBe(3, result.ToString());
        result.Stderr.ShouldContain("tessera login URL");
    }

    [Fact]
    public async Task Logout_RevokesTheTokenAndRemovesTheConfig_SecondTimeHarmless()
    {
        var user = await server.CreateUserAsync();
        (await _cli.RunWithInputAsync(TestServer.PasswordOf(user), "login", Url, "-u", user, "--password-stdin")).ExitCode.ShouldBe(0);
        var token = SavedToken();

        var logout = await _cli.RunAsync("logout");

        logout.ExitCode.ShouldBe(0, logout.ToString());
        logout.Stdout.ShouldContain("token revoked");
        File.Exists(_cli.ConfigFile).ShouldBeFalse();
        using (var revoked = new TesseraClient(server.BaseAddress, token))
        {
            (await Should.ThrowAsync<TesseraApiException>(() => revoked.GetMeAsync())).Status.ShouldBe(HttpStatusCode.Unauthorized);
        }
        var again = await _cli.RunAsync("logout");
        again.ExitCode.ShouldBe(0, again.ToString());
        again.Stdout.ShouldContain("Not logged in; nothing to do.");
        (await _cli.RunAsync("whoami")).ExitCode.ShouldBe(3);
    }

    [Fact]
    public async Task Users_AdminListsDisablesEnablesAndResetsPasswords()
    {
        var user = await server.CreateUserAsync();
        await UseTokenOfAsync("admin");

        var list = await _cli.RunAsync("users", "list");
        list.ExitCode.ShouldBe(0, list.ToString());
        list.Stdout.ShouldStartWith("USERNAME");
        list.Stdout.Split('\n').ShouldContain(l => l.StartsWith(user + " ", StringComparison.Ordinal) && l.Contains("active"));
        var json = await _cli.RunAsync("users", "list", "--json");
        JsonDocument.Parse(json.Stdout).RootElement.EnumerateArray().ShouldContain(u => u.GetProperty("username").GetString() == user);

        var disable = await _cli.RunAsync("users", "disable", user);
        disable.ExitCode.ShouldBe(0, disable.ToString());
        disable.Stdout.ShouldBe($"{user} is disabled.\n");
        using (var asUser = server.Client(user))
        {
            (await Should.ThrowAsync<TesseraApiException>(() => asUser.GetMeAsync())).Status.ShouldBe(HttpStatusCode.Unauthorized);
        }
        (await _cli.RunAsync("users", "list")).Stdout.Split('\n').ShouldContain(l => l.StartsWith(user + " ", StringComparison.Ordinal) && l.Contains("disabled"));

        var enable = await _cli.RunAsync("users", "enable", user);
        enable.ExitCode.ShouldBe(0, enable.ToString());
        using (var asUser = server.Client(user))
        {
            (await asUser.GetMeAsync()).Username.ShouldBe(user);
        }

        var reset = await _cli.RunAsync("users", "reset-password", user);
        reset.ExitCode.ShouldBe(0, reset.ToString());
        var generated = reset.Stdout.Trim();
        generated.Length.ShouldBe(20);
        reset.Stderr.ShouldContain("shown only this once");
        using (var withNew = new TesseraClient(server.Http(user, generated)))
        {
            (await withNew.GetMeAsync()).Username.ShouldBe(user);
        }

        var chosen = await _cli.RunWithInputAsync("a-chosen-password-9", "users", "reset-password", user, "--password-stdin");
        chosen.ExitCode.ShouldBe(0, chosen.ToString());
        chosen.Stdout.ShouldNotContain("a-chosen-password-9");
        using (var withChosen = new TesseraClient(server.Http(user, "a-chosen-password-9")))
        {
            (await withChosen.GetMeAsync()).Username.ShouldBe(user);
        }
    }

    [Fact]
    public async Task Users_NonAdmin_Exit1WithAPlainMessage()
    {
        var user = await server.CreateUserAsync();
        var victim = await server.CreateUserAsync();
        await UseTokenOfAsync(user);

        foreach (var args in new string[][] { ["users", "list"], ["users", "disable", victim], ["users", "enable", victim], ["users", "reset-password", victim] })
        {
            var result = await _cli.RunAsync(args);
            result.ExitCode.ShouldBe(1, result.ToString());
            result.Stderr.ShouldBe("error: Only site administrators manage users; `tessera whoami` shows whether you are one.\n", result.ToString());
            result.Stdout.ShouldBeEmpty();
        }
        using var asVictim = server.Client(victim);
        (await asVictim.GetMeAsync()).Disabled.ShouldBeFalse();
    }
}
