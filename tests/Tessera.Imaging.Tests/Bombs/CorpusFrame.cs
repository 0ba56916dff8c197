using Tessera.Imaging.Codecs;
using Tessera.Imaging.Dicom;
using Tessera.Dicom;
using Tessera.Dicom.IO;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Tests.Bombs;

/// <summary>The first frame of a corpus instance as stored, with the layout its DICOM header gives and its decoder.</summary>
internal sealed record CorpusFrame(byte[] Bytes, PixelLayout Layout, IFrameDecoder Decoder)
{
    public static CorpusFrame Open(string relative)
    {
        var file = DicomReader.ReadFile(TestCorpus.File(relative));
        var segments = PixelDataFrames.Locate(file.Dataset, file.Syntax)[0];
        var bytes = segments.SelectMany(s => s.Bulk?.ReadAll() ?? s.Bytes.ToArray()).ToArray();
        return new CorpusFrame(bytes, DicomPixelData.Open(file).Layout, FrameDecoders.For(file.Syntax));
    }

    /// <summary>Where a marker (0xFF, <paramref name="marker"/>) first starts, after <paramref name="from"/>.</summary>
    public int Find(byte marker, int from = 0)
    {
        var at = Bytes.AsSpan(from).IndexOf((ReadOnlySpan<byte>)[0xFF, marker]);
        at.ShouldBeGreaterThanOrEqualTo(0, $"marker FF{marker:X2} not found");
        return from + at;
    }

    /// <summary>Where a JPEG marker segment starts (its 0xFF), walking the segments from the start-of-image marker.</summary>
    public int Segment(byte marker)
    {
        var at = Bytes.AsSpan().IndexOf((ReadOnlySpan<byte>)[0xFF, 0xD8]) + 2;
        while (at + 4 <= Bytes.Length && Bytes[at] == 0xFF)
        {
            if (Bytes[at + 1] == marker)
                return at;
            at += 2 + (int)Read(at + 2, 2);
        }
        throw new InvalidOperationException($"no FF{marker:X2} segment before the first scan");
    }

    /// <summary>A copy with a big-endian value written at <paramref name="at"/>.</summary>
    public byte[] With(int at, uint value, int size)
    {
        var copy = (byte[])Bytes.Clone();
        for (var i = 0; i < size; i++)
            copy[at + i] = (byte)(value >> (8 * (size - 1 - i)));
        return copy;
    }

    public uint Read(int at, int size)
    {
        var value = 0u;
        for (var i = 0; i < size; i++)
            value = value << 8 | Bytes[at + i];
        return value;
    }
}
