namespace Tessera.Cli.Commands;

/// <summary>The command line or configuration is wrong; the message says how to fix it.</summary>
internal class UsageException(string message) : Exception(message);
