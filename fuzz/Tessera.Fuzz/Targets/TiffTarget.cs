using Tessera.Imaging;
using Tessera.Imaging.Codecs;
using Tessera.Imaging.Display;
using Tessera.Imaging.Sources;

namespace Tessera.Fuzz.Targets;

/// <summary>
/// TIFF and BigTIFF uploads through <see cref="TiffSource"/>: the structure (IFDs, SubIFDs, OME-XML, tile tags)
/// read at open by libtiff and our code, then the first tile decoded and handed out as stored.
/// </summary>
public sealed class TiffTarget : FuzzTarget
{
    private static readonly DecodeLimits s_limits = new() { MaxPixels = 1 << 20 };

    // libtiff opens by path: one scratch file per process (AFL++ runs one input at a time in it).
    private static readonly string s_path = Path.Combine(Path.GetTempPath(), $"tessera-fuzz-{Environment.ProcessId}.tif");

    public override string Name => "tiff";

    public override string Description => "TiffSource.Open (libtiff directories, SubIFDs, OME-XML, tile tags), then the first tile read and its stored JPEG";

    public override void Run(byte[] input)
    {
        File.WriteAllBytes(s_path, input);
        using var tiff = TiffSource.Open(s_path, s_limits);
        var level = tiff.Description.Levels[0];
        tiff.Read(0, new PixelRect(0, 0, Math.Min(level.Width, level.TileWidth), Math.Min(level.Height, level.TileHeight)), default, new RenderOptions());
        tiff.StoredJpegTile(0, 0, 0, default);
    }

    public override bool IsRefusal(Exception exception) => exception is ImageException;

    public override IEnumerable<Seed> Seeds(SeedCorpus corpus) => corpus.Files([".tif", ".tiff", ".svs"]);
}
