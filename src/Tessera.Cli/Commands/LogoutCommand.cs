using System.CommandLine;
using System.Net;
using Tessera.Client;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera logout</c>: revokes the saved token on the server (DELETE /api/tokens/{id}) and removes
/// the saved login. Running it again, or when not logged in, is not an error.
/// </summary>
internal static class LogoutCommand
{
    public static Command Create()
    {
        var command = new Command("logout", "Revoke the saved API token on the server and remove it from your config.");
        command.SetAction((result, ct) => CommandErrors.RunAsync(async () =>
        {
            var saved = CliConfig.LoadSaved();
            if (saved is null)
            {
                Console.WriteLine(CliConfig.TokenFromEnvironment
                    ? "No saved login to remove; the token in TESSERA_TOKEN stays valid (revoke it in the web interface, or unset it)."
                    : "Not logged in; nothing to do.");
                return ExitCodes.Success;
            }
            var revoked = await RevokeAsync(saved, ct);
            CliConfig.Delete();
            Console.WriteLine($"Logged out of {saved.Url}: {revoked}; removed {CliConfig.FilePath}.");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static async Task<string> RevokeAsync(CliConfig saved, CancellationToken ct)
    {
        if (saved.TokenId is not { } id)
        {
            return "the token was saved by an older tessera without its id, so it was not revoked (revoke it under Account → API tokens)";
        }
        using var client = new TesseraClient(new Uri(saved.Url.TrimEnd('/') + "/"), saved.Token, TimeSpan.FromSeconds(30));
        try
        {
            await client.DeleteTokenAsync(id, ct);
            return "token revoked";
        }
        catch (TesseraApiException e) when (e.Status is HttpStatusCode.Unauthorized or HttpStatusCode.NotFound)
        {
            // Expired, or revoked already (by an earlier logout that could not remove the file, or in the web interface).
            return "the token was no longer valid";
        }
        catch (HttpRequestException e)
        {
            CommandErrors.Error($"Cannot reach {saved.Url} to revoke the token ({e.Message}); it stays valid until it expires. Removing the saved login anyway.");
            return "token NOT revoked";
        }
    }
}
