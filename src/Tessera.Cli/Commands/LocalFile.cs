namespace Tessera.Cli.Commands;

/// <summary>A file named on the command line: where it is, the path it gets in the archive, its size.</summary>
internal sealed record LocalFile(string FullPath, string ArchivePath, long Size);
