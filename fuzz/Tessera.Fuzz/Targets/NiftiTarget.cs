using System.IO.Compression;
using Tessera.Imaging;
using Tessera.Imaging.Sources;

namespace Tessera.Fuzz.Targets;

/// <summary>NIfTI-1 and NIfTI-2 headers (<see cref="NiftiHeader"/>) in either byte order.</summary>
public sealed class NiftiTarget : FuzzTarget
{
    /// <summary>A NIfTI-2 header (540 bytes) and its extension flag: the parser reads nothing further.</summary>
    private const int HeaderBytes = 544;

    public override string Name => "nifti";

    public override string Description => "NiftiHeader.LooksLikeNifti and NiftiHeader.Parse";

    public override void Run(byte[] input)
    {
        if (NiftiHeader.LooksLikeNifti(input))
            _ = NiftiHeader.Parse(input).Samples;
    }

    public override bool IsRefusal(Exception exception) => exception is ImageException;

    public override IEnumerable<Seed> Seeds(SeedCorpus corpus)
    {
        foreach (var seed in corpus.Files([".nii", ".hdr"]))
            yield return seed with { Bytes = seed.Bytes[..Math.Min(seed.Bytes.Length, HeaderBytes)] };
        // The corpus's NIfTI volume is gzipped, as most are: its header is the first bytes inflated.
        foreach (var file in corpus.All().Where(f => f.Name.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase)))
        {
            using var gzip = new GZipStream(file.OpenRead(), CompressionMode.Decompress);
            var head = new byte[HeaderBytes];
            var n = gzip.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            yield return new Seed(file.Name, head[..n]);
        }
    }
}
