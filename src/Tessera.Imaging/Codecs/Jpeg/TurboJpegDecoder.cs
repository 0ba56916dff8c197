using Tessera.Imaging.Native;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Codecs.Jpeg;

/// <summary>8-bit DCT JPEG (baseline, extended, progressive) through libjpeg-turbo; colour comes out as RGB.</summary>
internal static class TurboJpegDecoder
{
    /// <summary>The geometry of a JPEG file, for decoding one that no DICOM header describes.</summary>
    public static unsafe PixelLayout ReadLayout(ReadOnlySpan<byte> data)
    {
        NativeLibraries.Require(NativeLibraries.TurboJpeg);
        using var handle = TurboJpeg.InitDecompress();
        fixed (byte* jpeg = data)
        {
            if (TurboJpeg.DecompressHeader(handle, jpeg, (nuint)data.Length, out var width, out var height, out _, out var colorspace) != 0)
                throw ImageException.Malformed($"the JPEG data does not decode: {TurboJpeg.LastError(handle)}");
            var gray = colorspace == TurboJpeg.ColorspaceGray;
            return new PixelLayout
            {
                Rows = height,
                Columns = width,
                SamplesPerPixel = gray ? 1 : 3,
                BitsAllocated = 8,
                BitsStored = 8,
                HighBit = 7,
                Photometric = gray ? Photometric.Monochrome2 : Photometric.Rgb,
            };
        }
    }

    /// <summary>
    /// The whole picture at 1/<paramref name="denominator"/> of its size (2, 4 or 8), decoded so by libjpeg-turbo's
    /// scaled IDCT: a large JPEG's overview without the memory of its full size.
    /// </summary>
    public static unsafe PixelFrame DecodeReduced(ReadOnlySpan<byte> data, int denominator, DecodeLimits limits)
    {
        if (denominator is not (2 or 4 or 8))
            throw new ArgumentOutOfRangeException(nameof(denominator), denominator, "TurboJPEG scales by 1/2, 1/4 or 1/8");
        var full = ReadLayout(data);
        var (width, height) = ((full.Columns + denominator - 1) / denominator, (full.Rows + denominator - 1) / denominator);
        limits.CheckDeclared($"JPEG frame header (decoded at 1/{denominator})", width, height);
        using var handle = TurboJpeg.InitDecompress();
        var channels = full.SamplesPerPixel;
        var output = new byte[DecodeLimits.BufferSize("the reduced JPEG", width, height, channels)];
        fixed (byte* jpeg = data)
        fixed (byte* destination = output)
        {
            var format = channels == 1 ? TurboJpeg.PixelFormatGray : TurboJpeg.PixelFormatRgb;
            if (TurboJpeg.Decompress(handle, jpeg, (nuint)data.Length, destination, width, width * channels, height, format, TurboJpeg.FlagAccurateDct) != 0)
                throw ImageException.Malformed($"the JPEG data does not decode: {TurboJpeg.LastError(handle)}");
        }
        return new PixelFrame(full with { Rows = height, Columns = width }, output);
    }

    /// <param name="expectedSource">What gave <paramref name="layout"/>, for messages: a DICOM header, or a TIFF's tile tags.</param>
    public static unsafe PixelFrame Decode(ReadOnlySpan<byte> data, PixelLayout layout, DecodeLimits limits, string expectedSource = "DICOM header")
    {
        NativeLibraries.Require(NativeLibraries.TurboJpeg);
        using var handle = TurboJpeg.InitDecompress();
        if (handle.IsInvalid)
            throw new InvalidOperationException("TurboJPEG could not create a decompressor");
        fixed (byte* jpeg = data)
        {
            if (TurboJpeg.DecompressHeader(handle, jpeg, (nuint)data.Length, out var width, out var height, out _, out var colorspace) != 0)
                throw ImageException.Malformed($"the JPEG data does not decode: {TurboJpeg.LastError(handle)}");
            if (colorspace is TurboJpeg.ColorspaceCmyk or TurboJpeg.ColorspaceYcck)
                throw ImageException.Unsupported("CMYK JPEG is not supported");
            // Some whole-slide writers store edge tiles at their cropped size: they go top left, the rest stays black.
            var channels = colorspace == TurboJpeg.ColorspaceGray ? 1 : 3;
            limits.CheckDeclared("JPEG frame header (SOF)", width, height, channels, layout, atMost: true, expectedSource);
            var gray = channels == 1;
            var output = new byte[DecodeLimits.BufferSize("the decoded JPEG frame", layout.Columns, layout.Rows, channels)];
            fixed (byte* destination = output)
            {
                var format = gray ? TurboJpeg.PixelFormatGray : TurboJpeg.PixelFormatRgb;
                if (TurboJpeg.Decompress(handle, jpeg, (nuint)data.Length, destination, width, layout.Columns * channels, height, format, TurboJpeg.FlagAccurateDct) != 0)
                    throw ImageException.Malformed($"the JPEG data does not decode: {TurboJpeg.LastError(handle)}");
            }
            var photometric = gray ? layout.Photometric : Photometric.Rgb;
            return new PixelFrame(layout with { Planar = false, Photometric = photometric, BitsAllocated = 8 }, output);
        }
    }
}
