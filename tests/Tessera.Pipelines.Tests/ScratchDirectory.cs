namespace Tessera.Pipelines.Tests;

/// <summary>A folder of its own for a test's shell runs, removed after it.</summary>
public sealed class ScratchDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("tessera-shell-").FullName;

    /// <summary>The file a hostile value tries to make (relative: the shell runs in <see cref="Path"/>).</summary>
    public const string Marker = "pwned";

    public bool MarkerExists => File.Exists(System.IO.Path.Combine(Path, Marker));

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
