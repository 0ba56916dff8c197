namespace Tessera.Imaging.Pixels;

/// <summary>Rotation by quarter turns, mirroring, and the IIIF qualities (grey, bitonal) on 8-bit images.</summary>
public static class RasterOps
{
    /// <summary>Mirrors left-right (when asked), then rotates clockwise by <paramref name="degrees"/> (0, 90, 180 or 270).</summary>
    public static RasterImage Rotate(RasterImage image, int degrees, bool mirror)
    {
        if (degrees == 0 && !mirror)
            return image;
        var (w, h, bands) = (image.Width, image.Height, image.Bands);
        var (outW, outH) = degrees is 90 or 270 ? (h, w) : (w, h);
        var output = new byte[image.Pixels.Length];
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var sx = mirror ? w - 1 - x : x;
                var (tx, ty) = degrees switch
                {
                    90 => (h - 1 - y, x),
                    180 => (w - 1 - x, h - 1 - y),
                    270 => (y, w - 1 - x),
                    _ => (x, y),
                };
                image.Pixels.AsSpan((y * w + sx) * bands, bands).CopyTo(output.AsSpan((ty * outW + tx) * bands));
            }
        }
        return new RasterImage(outW, outH, bands, output);
    }

    /// <summary>Luma (ITU-R BT.601 weights) as one band.</summary>
    public static RasterImage Gray(RasterImage image)
    {
        if (image.Bands == 1)
            return image;
        var pixels = image.Width * image.Height;
        var output = new byte[pixels];
        for (var i = 0; i < pixels; i++)
        {
            var p = i * image.Bands;
            output[i] = (byte)((image.Pixels[p] * 19595 + image.Pixels[p + 1] * 38470 + image.Pixels[p + 2] * 7471 + 32768) >> 16);
        }
        return new RasterImage(image.Width, image.Height, 1, output);
    }

    /// <summary>Black or white by a threshold at half intensity.</summary>
    public static RasterImage Bitonal(RasterImage image)
    {
        var gray = Gray(image);
        var output = gray.Pixels.Select(v => v >= 128 ? (byte)255 : (byte)0).ToArray();
        return new RasterImage(gray.Width, gray.Height, 1, output);
    }

    /// <summary>Drops alpha and turns a grey image into RGB, as formats without those need.</summary>
    public static RasterImage ToRgb(RasterImage image)
    {
        if (image.Bands == 3)
            return image;
        var pixels = image.Width * image.Height;
        var output = new byte[pixels * 3];
        for (var i = 0; i < pixels; i++)
        {
            for (var c = 0; c < 3; c++)
                output[i * 3 + c] = image.Pixels[i * image.Bands + (image.Bands == 1 ? 0 : c)];
        }
        return new RasterImage(image.Width, image.Height, 3, output);
    }
}
