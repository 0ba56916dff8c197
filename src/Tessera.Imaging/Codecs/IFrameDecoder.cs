using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Codecs;

/// <summary>Decodes one frame of one transfer syntax into a <see cref="PixelFrame"/>.</summary>
public interface IFrameDecoder
{
    /// <summary>A short name for messages and logs ("RLE", "JPEG 2000 (OpenJPEG)").</summary>
    string Name { get; }

    /// <summary>
    /// Decodes every byte of one frame as stored (for uncompressed data: little endian, as a reader normalises it).
    /// Throws <see cref="ImageException"/> for data that does not decode.
    /// </summary>
    PixelFrame Decode(ReadOnlySpan<byte> encoded, PixelLayout layout);
}
