using Tessera.Dicom;
using Tessera.Imaging;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Dicom;

/// <summary>
/// Decoded frames in native form (PS3.5 8.1.1, A.2): samples interleaved by pixel (Planar Configuration 0), little
/// endian, in the colour model the codec produced (lossy JPEG colour comes out RGB, YBR_ICT/RCT JPEG 2000 as RGB, RLE
/// and 12-bit JPEG YBR as YBR_FULL); 1-bit data packed eight pixels a byte, the first in the lowest bit, frames
/// following each other bit by bit. Says which Image Pixel attributes describe them.
/// </summary>
public sealed record NativePixels(int Rows, int Columns, int SamplesPerPixel, Photometric Photometric, int BitsAllocated, int BitsStored, int FrameCount)
{
    /// <summary>The largest value a 32-bit length can give (0xFFFFFFFF means undefined length).</summary>
    public const long MaxLength = 0xFFFFFFFE;

    public long FrameBits => (long)Rows * Columns * SamplesPerPixel * BitsAllocated;

    /// <summary>The bytes of one frame sent alone (a frame of /frames): whole bytes, 1-bit data padded to the next one.</summary>
    public long FrameBytes => (FrameBits + 7) / 8;

    /// <summary>Every frame back to back, padded to an even length as a value must be (PS3.5 7.1.1).</summary>
    public long PixelDataLength
    {
        get
        {
            var bytes = (FrameBits * FrameCount + 7) / 8;
            return bytes + (bytes & 1);
        }
    }

    /// <summary>OW for samples wider than a byte, OB otherwise (PS3.5 A.2, 8.1.1).</summary>
    public DicomVr Vr => BitsAllocated > 8 ? DicomVr.OW : DicomVr.OB;

    /// <summary>What the native form of frames decoded from <paramref name="stored"/> looks like, going by the first of them.</summary>
    public static NativePixels Of(PixelLayout stored, PixelLayout decoded, int frames)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(decoded);
        if (decoded.Photometric is not (Photometric.Monochrome1 or Photometric.Monochrome2 or Photometric.Rgb or Photometric.YbrFull or Photometric.PaletteColor))
            throw ImageException.Unsupported($"frames decoded as {decoded.Photometric} have no native form");
        var bits = stored.BitsAllocated == 1 ? 1 : decoded.BitsAllocated;
        var bitsStored = Math.Min(stored.EffectiveBitsStored, bits);
        return new NativePixels(decoded.Rows, decoded.Columns, decoded.SamplesPerPixel, decoded.Photometric, bits, bitsStored, frames);
    }

    /// <summary>The Photometric Interpretation (0028,0004) that names the decoded colour model.</summary>
    public string PhotometricName => Photometric switch
    {
        Photometric.Monochrome1 => "MONOCHROME1",
        Photometric.Monochrome2 => "MONOCHROME2",
        Photometric.Rgb => "RGB",
        Photometric.YbrFull => "YBR_FULL",
        _ => "PALETTE COLOR",
    };

    /// <summary>
    /// Refuses a frame that does not have the first frame's form (a codestream of another size or depth in a later
    /// frame): the header already sent describes every frame alike.
    /// </summary>
    public void Check(PixelFrame frame, int index)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var layout = frame.Layout;
        var bits = BitsAllocated == 1 ? 8 : BitsAllocated;
        if (layout.Rows != Rows || layout.Columns != Columns || layout.SamplesPerPixel != SamplesPerPixel || layout.BitsAllocated != bits
            || layout.Photometric != Photometric || frame.Data.Length != (long)Rows * Columns * SamplesPerPixel * layout.BytesPerSample)
            throw ImageException.Malformed($"frame {index + 1} decodes to another form than the first ({layout.Columns}×{layout.Rows}, {layout.SamplesPerPixel} samples of {layout.BitsAllocated} bits, {layout.Photometric})");
    }

    /// <summary>One frame alone in native form: its decoded bytes, or for 1-bit data those packed from the first bit of a byte.</summary>
    public byte[] Bytes(PixelFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (BitsAllocated != 1)
            return frame.Data;
        var packer = new BitPacker();
        var packed = packer.Pack(frame.Data);
        var last = packer.Flush();
        return last.Length == 0 ? packed : [.. packed, .. last];
    }

    /// <summary>Sets the Image Pixel attributes of <paramref name="dataset"/> to describe this form.</summary>
    public void Describe(DicomDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        dataset.SetUInt16(DicomTags.SamplesPerPixel, (ushort)SamplesPerPixel);
        dataset.SetString(DicomTags.PhotometricInterpretation, DicomVr.CS, PhotometricName);
        if (SamplesPerPixel > 1)
            dataset.SetUInt16(DicomTags.PlanarConfiguration, 0);
        else
            dataset.Remove(DicomTags.PlanarConfiguration);
        dataset.SetUInt16(DicomTags.BitsAllocated, (ushort)BitsAllocated);
        dataset.SetUInt16(DicomTags.BitsStored, (ushort)BitsStored);
        dataset.SetUInt16(DicomTags.HighBit, (ushort)(BitsStored - 1));
    }
}

/// <summary>Packs unpacked 1-bit pixels (one byte each, zero or not) eight to a byte, the first in the lowest bit (PS3.5 D.2), across calls.</summary>
public sealed class BitPacker
{
    private int _pending;
    private int _count;

    /// <summary>The whole bytes these pixels complete; a partial last byte waits for the next call or <see cref="Flush"/>.</summary>
    public byte[] Pack(ReadOnlySpan<byte> pixels)
    {
        var output = new byte[(_count + pixels.Length) / 8];
        var at = 0;
        foreach (var pixel in pixels)
        {
            if (pixel != 0)
                _pending |= 1 << _count;
            if (++_count == 8)
            {
                output[at++] = (byte)_pending;
                (_pending, _count) = (0, 0);
            }
        }
        return output;
    }

    /// <summary>The partial last byte, if any, its unused bits zero.</summary>
    public byte[] Flush()
    {
        if (_count == 0)
            return [];
        var last = (byte)_pending;
        (_pending, _count) = (0, 0);
        return [last];
    }
}
