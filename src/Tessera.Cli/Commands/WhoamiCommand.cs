using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Tessera.Client;

namespace Tessera.Cli.Commands;

/// <summary><c>tessera whoami</c>: the signed-in user, whether an administrator, the server and the token's expiry.</summary>
internal static class WhoamiCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON (for scripts)." };
        var command = new Command("whoami", "Show who you are signed in as, on which server, and when the token expires.") { json };
        command.SetAction((result, ct) => CommandErrors.RunAsync(async () =>
        {
            var config = CliConfig.Load() ?? throw new NotLoggedInException();
            using var client = CommandErrors.Connect();
            var me = await client.GetMeAsync(ct);
            var expires = config.ExpiresAt;
            if (expires is null && config.TokenId is { } id)
            {
                expires = (await client.ListTokensAsync(ct)).FirstOrDefault(t => t.Id == id)?.ExpiresAt;
            }
            var source = CliConfig.TokenFromEnvironment ? "TESSERA_TOKEN" : CliConfig.FilePath;
            if (result.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    me.Username, me.Email, me.Admin, Server = config.Url, TokenExpiresAt = expires, TokenFrom = source,
                }, TesseraClient.JsonOptions));
                return ExitCodes.Success;
            }
            Console.WriteLine($"{me.Username}{(me.Admin ? " (site administrator)" : "")} on {config.Url}");
            Console.WriteLine(expires is null
                ? $"token from {source}; its expiry is not known here (see your tokens in the web interface)"
                : $"token from {source}, expires {expires.Value.ToUniversalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC");
            return ExitCodes.Success;
        }));
        return command;
    }
}
