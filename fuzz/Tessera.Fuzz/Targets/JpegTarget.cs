using System.Buffers.Binary;
using Tessera.Imaging;
using Tessera.Imaging.Codecs;
using Tessera.Imaging.Codecs.Jpeg;
using Tessera.Imaging.Pixels;
using Tessera.Imaging.Sources;

namespace Tessera.Fuzz.Targets;

/// <summary>
/// JPEG files and DICOM JPEG frames: the size sniffed from the header (<see cref="RasterHeader"/>), then the frame
/// decoded by <see cref="JpegDecoder"/> with a layout taken from its own SOF segment, as a DICOM header would give
/// it: the C# lossless (process 14) and 12-bit DCT decoders, or libjpeg-turbo for 8-bit DCT.
/// </summary>
public sealed class JpegTarget : FuzzTarget
{
    private static readonly DecodeLimits s_limits = new() { MaxPixels = 1 << 20 };

    public override string Name => "jpeg";

    public override string Description => "RasterHeader.Size, then JpegDecoder.Decode (C# lossless and 12-bit DCT decoders, libjpeg-turbo for 8-bit) with the layout its SOF declares";

    public override void Run(byte[] input)
    {
        RasterHeader.Size(input);
        if (Layout(input) is { } layout)
            JpegDecoder.Instance.Decode(input, layout, s_limits);
    }

    public override bool IsRefusal(Exception exception) => exception is ImageException;

    /// <summary>The frame the first SOF segment declares, as a DICOM header describing it would; null when there is none.</summary>
    private static PixelLayout? Layout(ReadOnlySpan<byte> data)
    {
        for (var at = 2; at + 10 <= data.Length;)
        {
            if (data[at] != 0xFF)
                return null;
            var marker = data[at + 1];
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                int precision = data[at + 4], components = data[at + 9];
                var bits = precision > 8 ? 16 : 8;
                return new PixelLayout
                {
                    Rows = BinaryPrimitives.ReadUInt16BigEndian(data[(at + 5)..]),
                    Columns = BinaryPrimitives.ReadUInt16BigEndian(data[(at + 7)..]),
                    SamplesPerPixel = components,
                    BitsAllocated = bits,
                    BitsStored = Math.Clamp(precision, 1, bits),
                    HighBit = Math.Clamp(precision, 1, bits) - 1,
                    Photometric = components == 3 ? Photometric.YbrFull : Photometric.Monochrome2,
                };
            }
            at += 2 + BinaryPrimitives.ReadUInt16BigEndian(data[(at + 2)..]);
        }
        return null;
    }

    public override IEnumerable<Seed> Seeds(SeedCorpus corpus)
    {
        foreach (var seed in corpus.Files([".jpg", ".jpeg"]).Take(SeedCorpus.MaxSeedsPerTarget / 2))
            yield return seed;
        // Lossless and 12-bit frames live only inside DICOM files: their first fragments are the seeds for the C# decoders.
        foreach (var seed in DicomFrames.FirstFragments(corpus, ["1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.50"]))
            yield return seed;
    }
}
