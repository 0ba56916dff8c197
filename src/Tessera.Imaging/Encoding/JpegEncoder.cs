using Tessera.Imaging.Native;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Encoding;

/// <summary>Baseline JPEG through libjpeg-turbo: grey stays grey, colour is 4:2:0 unless asked otherwise.</summary>
public static class JpegEncoder
{
    public static unsafe byte[] Encode(RasterImage image, int quality = 85, bool subsample = true)
    {
        NativeLibraries.Require(NativeLibraries.TurboJpeg);
        if (image.Bands == 4)
            throw ImageException.Unsupported("JPEG has no alpha channel; encode RGBA images as PNG");
        using var handle = TurboJpeg.InitCompress();
        if (handle.IsInvalid)
            throw new InvalidOperationException("TurboJPEG could not create a compressor");
        var gray = image.Bands == 1;
        var format = gray ? TurboJpeg.PixelFormatGray : TurboJpeg.PixelFormatRgb;
        var subsampling = gray ? TurboJpeg.SubsampGray : subsample ? TurboJpeg.Subsamp420 : TurboJpeg.Subsamp444;
        var jpeg = IntPtr.Zero;
        nuint size = 0;
        try
        {
            fixed (byte* source = image.Pixels)
            {
                if (TurboJpeg.Compress(handle, source, image.Width, 0, image.Height, format, ref jpeg, ref size, subsampling, Math.Clamp(quality, 1, 100), TurboJpeg.FlagAccurateDct) != 0)
                    throw new InvalidOperationException($"TurboJPEG could not encode the image: {TurboJpeg.LastError(handle)}");
            }
            return new ReadOnlySpan<byte>((void*)jpeg, (int)size).ToArray();
        }
        finally
        {
            if (jpeg != IntPtr.Zero)
                TurboJpeg.Free(jpeg);
        }
    }
}
