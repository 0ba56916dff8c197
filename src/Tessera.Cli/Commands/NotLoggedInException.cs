namespace Tessera.Cli.Commands;

internal sealed class NotLoggedInException()
    : UsageException("Not logged in: run `tessera login URL` first (or set TESSERA_URL and TESSERA_TOKEN).");
