using System.IO.Compression;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Codecs;

/// <summary>Deflated Image Frame Compression (1.2.840.10008.1.2.8.1, PS3.5 A.4.11): each frame is raw deflate of its native bytes.</summary>
public sealed class DeflatedFrameDecoder : IFrameDecoder
{
    public static DeflatedFrameDecoder Instance { get; } = new();

    /// <summary>The most deflate inflates one byte to: 1032 (a 258-byte match costs at least two bits, RFC 1951).</summary>
    private const long MaxRatio = 1032;

    public string Name => "deflated frame";

    public PixelFrame Decode(ReadOnlySpan<byte> encoded, PixelLayout layout, DecodeLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        layout.Validate();
        // The inflated size is the DICOM header's, never the stream's: inflation stops there.
        limits.CheckFrame(layout);
        var needed = NativeDecoder.StoredBytes(layout);
        if (encoded.Length * MaxRatio < needed)
        {
            throw ImageException.Malformed(
                $"the deflated frame holds {encoded.Length} bytes, which inflate to at most {encoded.Length * MaxRatio}; the DICOM header's {layout.Columns}×{layout.Rows} frame needs {needed}");
        }
        var native = new byte[needed];
        try
        {
            using var input = new MemoryStream(encoded.ToArray());
            using var inflate = new DeflateStream(input, CompressionMode.Decompress);
            var read = inflate.ReadAtLeast(native, native.Length, throwOnEndOfStream: false);
            if (read < native.Length)
                throw ImageException.Malformed($"the deflated frame inflates to {read} bytes; the frame needs {native.Length}");
        }
        catch (InvalidDataException e)
        {
            throw new ImageException(ImageErrorKind.Malformed, $"the deflated frame does not inflate: {e.Message}", e);
        }
        return NativeDecoder.DecodeAt(native, 0, layout, limits);
    }
}
