using Tessera.Imaging;
using Tessera.Imaging.Encoding;
using Tessera.Imaging.Pixels;
using Tessera.Imaging.Sources;

namespace Tessera.Fuzz.Targets;

/// <summary>PNG uploads: the size sniffed from the header (<see cref="RasterHeader"/>), then a full decode (<see cref="PngDecoder"/>, <see cref="PngRows"/>).</summary>
public sealed class PngTarget : FuzzTarget
{
    /// <summary>Below the server's 64 megapixels so an input that declares a large picture costs milliseconds, not seconds.</summary>
    private const long MaxPixels = 1 << 20;

    public override string Name => "png";

    public override string Description => "RasterHeader.Size, then PngDecoder.Decode (chunks, inflate, filters, palettes, bit depths)";

    public override void Run(byte[] input)
    {
        RasterHeader.Size(input);
        using var stream = new MemoryStream(input, writable: false);
        PngDecoder.Decode(stream, MaxPixels);
    }

    public override bool IsRefusal(Exception exception) => exception is ImageException;

    public override IEnumerable<Seed> Seeds(SeedCorpus corpus)
    {
        foreach (var seed in corpus.Files([".png"]))
            yield return seed;
        // Our own encoder's output: grey and RGB, 8 and 16 bits (the corpus's PNGs are all 8-bit).
        yield return new Seed("grey8.png", PngEncoder.Encode(new RasterImage(3, 2, 1, [0, 1, 2, 3, 4, 5])));
        yield return new Seed("grey16.png", PngEncoder.EncodeGray16([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 3, 2));
        yield return new Seed("rgb.png", PngEncoder.Encode(new RasterImage(2, 2, 3, [.. Enumerable.Range(0, 12).Select(i => (byte)(i * 20))])));
    }
}
