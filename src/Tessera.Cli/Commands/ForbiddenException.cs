namespace Tessera.Cli.Commands;

/// <summary>The server refused the operation to this user (exit code 1).</summary>
internal sealed class ForbiddenException(string message) : Exception(message);
