namespace Tessera.Imaging.Pixels;

/// <summary>An 8-bit image ready to show or encode: grey (1 band), RGB (3) or RGBA (4), rows top to bottom.</summary>
public sealed class RasterImage
{
    public RasterImage(int width, int height, int bands, byte[] pixels)
    {
        if (width <= 0 || height <= 0 || bands is not (1 or 3 or 4) || pixels.Length != width * height * bands)
            throw new ArgumentException($"a {width} x {height} image of {bands} band(s) needs {width * height * bands} bytes, not {pixels.Length}");
        (Width, Height, Bands, Pixels) = (width, height, bands, pixels);
    }

    public int Width { get; }

    public int Height { get; }

    public int Bands { get; }

    public byte[] Pixels { get; }
}
