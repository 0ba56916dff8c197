namespace Tessera.Imaging.Tests.Bombs;

/// <summary>
/// The tests that feed decoders headers that lie about their size run alone: each measures how far the process's
/// peak memory rises while it decodes, which other tests running beside it would disturb.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeaderBombTests
{
    public const string Name = "Header bombs";
}
