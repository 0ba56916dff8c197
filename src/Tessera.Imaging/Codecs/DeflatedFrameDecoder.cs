using System.IO.Compression;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Codecs;

/// <summary>Deflated Image Frame Compression (1.2.840.10008.1.2.8.1, PS3.5 A.4.11): each frame is raw deflate of its native bytes.</summary>
public sealed class DeflatedFrameDecoder : IFrameDecoder
{
    public static DeflatedFrameDecoder Instance { get; } = new();

    public string Name => "deflated frame";

    public PixelFrame Decode(ReadOnlySpan<byte> encoded, PixelLayout layout)
    {
        layout.Validate();
        var native = new byte[NativeDecoder.StoredBytes(layout)];
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
        return NativeDecoder.Instance.Decode(native, layout);
    }
}
