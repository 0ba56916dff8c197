namespace Tessera.Cli.Commands;

/// <summary>A project, subject, session or scan named on the command line does not exist (exit code 1).</summary>
internal sealed class ArchivePathNotFoundException(string message) : Exception(message);
