using System.CommandLine;
using Spectre.Console;
using Tessera.Client;
using Tessera.Client.Contracts;

namespace Tessera.Cli.Commands;

/// <summary><c>tessera login URL</c>: exchanges a username and password for an API token and saves it.</summary>
internal static class LoginCommand
{
    public static Command Create()
    {
        var url = new Argument<string>("url") { Description = "The server, e.g. http://127.0.0.1:8080" };
        var username = new Option<string?>("--username", "-u") { Description = "Username (asked when omitted)." };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input." };
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
            var user = result.GetValue(username) ?? Environment.GetEnvironmentVariable("TESSERA_USERNAME")
                ?? AnsiConsole.Prompt(new TextPrompt<string>("Username:"));
            var password = result.GetValue(passwordStdin) ? (await Console.In.ReadLineAsync(ct) ?? "")
                : Environment.GetEnvironmentVariable("TESSERA_PASSWORD")
                  ?? AnsiConsole.Prompt(new TextPrompt<string>("Password:").Secret());
            var baseUri = new Uri(server.ToString().TrimEnd('/') + "/");
            using var client = new TesseraClient(baseUri, timeout: TimeSpan.FromSeconds(60));
            client.UseBasic(user, password);
            var token = await client.CreateTokenAsync(
                new CreateTokenRequest($"cli@{Environment.MachineName}", result.GetValue(days)), ct);
            new CliConfig(baseUri.ToString(), token.Token).Save();
            Console.WriteLine($"Logged in to {baseUri} as {user}; token saved in {CliConfig.FilePath} (expires {token.ExpiresAt:yyyy-MM-dd}).");
            return ExitCodes.Success;
        }));
        return command;
    }
}
