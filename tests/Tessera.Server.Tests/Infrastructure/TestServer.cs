using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Client;
using Tessera.Client.Contracts;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// A real Tessera server on a loopback port with its own data folder and database; tests talk to
/// it over HTTP like any client.
/// </summary>
public class TestServer : IAsyncLifetime
{
    /// <summary>
    /// Every server of the run lives in this one process and shares its thread pool, beside the browser's driver and
    /// the tests' own child processes: a head start of threads keeps one server's blocking work (image decodes,
    /// waits on tools) from stalling another's requests while the pool grows.
    /// </summary>
    static TestServer()
    {
        ThreadPool.GetMinThreads(out var workers, out var completions);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(completions, 32));
    }

    public const string AdminPassword = "admin-password-1";
    private TestDatabase? _database;

    public WebApplication App { get; private set; } = null!;

    /// <summary>The server's database (another node of the same site connects to it too).</summary>
    public TestDatabase Database => _database!;

    public Uri BaseAddress { get; private set; } = null!;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "tessera-test-" + Guid.NewGuid().ToString("N"));

    /// <summary>Extra configuration; a fixture for a differently configured site sets it in its constructor.</summary>
    public Dictionary<string, string?> Settings { get; } = new();

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Storage:DataDirectory"] = DataDirectory,
            ["Database:Provider"] = _database.Provider,
            ["Database:ConnectionString"] = _database.ConnectionString,
            ["Database:AutoMigrate"] = "true",
            ["Logging:LogLevel:Default"] = "Warning",
            // Many servers run at once in the tests: the DICOM listener only where a test asks for one.
            ["Dicom:Port"] = "0",
        };
        foreach (var (key, value) in Settings)
        {
            settings[key] = value;
        }
        App = TesseraServer.Build([], settings);
        await TesseraServer.PrepareAsync(App, AdminPassword, CancellationToken.None);
        await App.StartAsync();
        var address = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
    }

    public virtual async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    /// <summary>An HTTP client; with a username, it signs in by HTTP Basic.</summary>
    public HttpClient Http(string? username = null, string? password = null, bool followRedirects = true)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = followRedirects };
        ConfigureHandler(handler);
        var http = new HttpClient(handler)
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromMinutes(5),
        };
        if (username is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
                "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password ?? PasswordOf(username)}")));
        }
        return http;
    }

    /// <summary>Adjusts every client's handler, e.g. to trust a server certificate of a test CA.</summary>
    protected virtual void ConfigureHandler(SocketsHttpHandler handler)
    {
    }

    public HttpClient Admin() => Http("admin", AdminPassword);

    public TesseraClient Client(string? username = null) => new(Http(username));

    /// <summary>Creates a user whose password is derived from the name (see <see cref="PasswordOf"/>).</summary>
    public async Task<string> CreateUserAsync(string? username = null, bool admin = false)
    {
        username ??= "u" + Guid.NewGuid().ToString("N")[..10];
        using var client = new TesseraClient(Admin());
        await client.CreateUserAsync(new CreateUserRequest(username, PasswordOf(username), $"{username}@example.org", admin));
        return username;
    }

    public static string PasswordOf(string username) => $"pw-{username}-secret";

    /// <summary>A new project owned by <paramref name="owner"/> (admin by default), with a unique id.</summary>
    public async Task<string> CreateProjectAsync(string? owner = null, Visibility visibility = Visibility.Private)
    {
        var id = "p" + Guid.NewGuid().ToString("N")[..10];
        using var client = new TesseraClient(owner is null ? Admin() : Http(owner));
        await client.CreateProjectAsync(new CreateProjectRequest(id, $"Project {id}", null, visibility));
        return id;
    }
}
