namespace Tessera.Imaging.Pixels;

/// <summary>
/// One decoded frame: samples interleaved by pixel, little endian, each in <see cref="PixelLayout.BytesPerSample"/>
/// bytes (1-bit data unpacked to one byte a pixel), still in the stored values' range and colour model.
/// </summary>
public sealed class PixelFrame(PixelLayout layout, byte[] data)
{
    /// <summary>The layout of <see cref="Data"/>: never planar; the colour model is what the codec produced.</summary>
    public PixelLayout Layout { get; } = layout;

    public byte[] Data { get; } = data;

    public int Width => Layout.Columns;

    public int Height => Layout.Rows;
}
