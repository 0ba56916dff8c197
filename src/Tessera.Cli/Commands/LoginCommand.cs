using System.CommandLine;
using Spectre.Console;
using Tessera.Client;
using Tessera.Client.Contracts;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera login URL</c>: exchanges a username and password for an API token and saves it with
/// its id (for <c>logout</c>) and expiry (for <c>whoami</c>). Prompts only on a terminal; from a
/// script the password comes from <c>--password-stdin</c> or TESSERA_PASSWORD.
/// </summary>
internal static class LoginCommand
{
    public static Command Create()
    {
        var url = new Argument<string>("url") { Description = "The server, e.g. http://127.0.0.1:8080" };
        var username = new Option<string?>("--username", "-u") { Description = "Username (asked when omitted, or TESSERA_USERNAME)." };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input (the first line), e.g. from a secrets manager." };
        var days = new Option<int>("--days") { Description = "Token lifetime in days.", DefaultValueFactory = _ => 90 };
        var command = new Command("login", "Sign in to a Tessera server and store an API token in your config (mode 600).")
        {
            url, username, passwordStdin, days,
        };
        command.SetAction((result, ct) => CommandErrors.RunAsync(async () =>
        {
            if (!Uri.TryCreate(result.GetValue(url), UriKind.Absolute, out var server) || server.Scheme is not ("http" or "https"))
            {
                throw new UsageException($"'{result.GetValue(url)}' is not an http(s) URL.");
            }
            var fromStdin = result.GetValue(passwordStdin);
            var user = result.GetValue(username) ?? Environment.GetEnvironmentVariable("TESSERA_USERNAME")
                ?? (Console.IsInputRedirected || fromStdin
                    ? throw new UsageException("Name the user with --username (or TESSERA_USERNAME): standard input is not a terminal to ask on.")
                    : AnsiConsole.Prompt(new TextPrompt<string>("Username:")));
            var password = fromStdin ? await ReadPasswordLineAsync(ct)
                : Environment.GetEnvironmentVariable("TESSERA_PASSWORD")
                  ?? (Console.IsInputRedirected
                      ? throw new UsageException(
                          "Standard input is not a terminal, so the password cannot be asked for: pipe it in with --password-stdin "
                          + "(e.g. `pass show tessera | tessera login URL -u NAME --password-stdin`) or set TESSERA_PASSWORD.")
                      : AnsiConsole.Prompt(new TextPrompt<string>("Password:").Secret()));
            var baseUri = new Uri(server.ToString().TrimEnd('/') + "/");
            using var client = new TesseraClient(baseUri, timeout: TimeSpan.FromSeconds(60));
            client.UseBasic(user, password);
            var token = await client.CreateTokenAsync(
                new CreateTokenRequest($"cli@{Environment.MachineName}", result.GetValue(days)), ct);
            new CliConfig(baseUri.ToString(), token.Token, token.Id, user, token.ExpiresAt).Save();
            Console.WriteLine($"Logged in to {baseUri} as {user}; token saved in {CliConfig.FilePath} (expires {token.ExpiresAt:yyyy-MM-dd}).");
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>The first line of standard input; an empty input is a usage error rather than an empty password sent.</summary>
    internal static async Task<string> ReadPasswordLineAsync(CancellationToken ct)
    {
        var line = await Console.In.ReadLineAsync(ct);
        return string.IsNullOrEmpty(line)
            ? throw new UsageException("--password-stdin read nothing: pipe the password into standard input.")
            : line;
    }
}
