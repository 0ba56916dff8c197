using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Codecs;

/// <summary>Decodes one frame of one transfer syntax into a <see cref="PixelFrame"/>.</summary>
public interface IFrameDecoder
{
    /// <summary>A short name for messages and logs ("RLE", "JPEG 2000 (OpenJPEG)").</summary>
    string Name { get; }

    /// <summary>
    /// Decodes every byte of one frame as stored (for uncompressed data: little endian, as a reader normalises it).
    /// The size the codestream declares is checked against <paramref name="layout"/> and <paramref name="limits"/>
    /// before anything is allocated for it. Throws <see cref="ImageException"/> for data that does not decode.
    /// </summary>
    PixelFrame Decode(ReadOnlySpan<byte> encoded, PixelLayout layout, DecodeLimits limits);

    /// <summary>Decodes a frame within <see cref="DecodeLimits.Default"/>.</summary>
    PixelFrame Decode(ReadOnlySpan<byte> encoded, PixelLayout layout) => Decode(encoded, layout, DecodeLimits.Default);
}
