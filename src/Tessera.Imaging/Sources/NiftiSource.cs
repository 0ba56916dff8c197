using System.Buffers.Binary;
using Tessera.Imaging.Codecs;
using Tessera.Imaging.Display;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Sources;

/// <summary>Which axis a volume is cut across: axial (z), coronal (y) or sagittal (x).</summary>
public enum SliceAxis
{
    Z,
    Y,
    X,
}

/// <summary>
/// A NIfTI-1/2 volume sliced across one axis: each slice is a plane (z of the image), each volume of a 4-D series a
/// time point. Slices are read from the uncompressed voxels on demand (a slice across z is one contiguous read),
/// scaled by scl_slope / scl_inter and windowed by cal_min / cal_max or, without them, the volume's range (sampled
/// from at most <see cref="RangeSamples"/> axial slices of the first time point when the source is opened), so
/// that every slice of every axis is shown in the same window.
/// Rows run from the highest index down, so anterior and superior are up, as viewers show them.
/// </summary>
public sealed class NiftiSource : IImageSource
{
    private readonly NiftiHeader _header;
    private readonly Func<Stream> _open;
    private readonly SliceAxis _axis;
    private readonly IDisposable? _owned;
    private readonly DecodeLimits _limits;

    /// <summary>How many axial slices the default window's range is read from, at most.</summary>
    public const int RangeSamples = 16;

    /// <param name="owned">What the source keeps alive and releases with itself (a temporary inflated copy).</param>
    /// <param name="limits">Bounds a slice, which is read whole; <see cref="DecodeLimits.Default"/> when null.</param>
    public NiftiSource(NiftiHeader header, Func<Stream> open, SliceAxis axis, IDisposable? owned = null, DecodeLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(header);
        (_header, _open, _axis, _owned) = (header, open, axis, owned);
        _limits = limits ?? DecodeLimits.Default;
        if (header.Dimensions.Take(3).Any(d => d > int.MaxValue))
            throw ImageException.Unsupported($"the NIfTI volume's dimensions ({string.Join(" x ", header.Dimensions)}) are larger than supported");
        var (width, height, slices) = Geometry();
        _limits.CheckDeclared($"NIfTI header ({axis} slices)", width, height);
        var (sx, sy) = axis switch
        {
            SliceAxis.Z => (Size(0), Size(1)),
            SliceAxis.Y => (Size(0), Size(2)),
            _ => (Size(1), Size(2)),
        };
        Description = new ImageDescription
        {
            Format = $"NIfTI-{header.Version}",
            Levels = [new ImageLevel(width, height, width, height, 1)],
            Bands = header.Samples == 1 ? 1 : 3,
            SizeZ = slices,
            SizeT = (int)Math.Min(int.MaxValue, header.T),
            // NIfTI voxel sizes are usually millimetres.
            PixelSize = sx > 0 && sy > 0 ? (sx * 1000, sy * 1000) : null,
            Windowed = header.Samples == 1,
            DefaultWindow = header.CalMax > header.CalMin ? ((header.CalMin + header.CalMax) / 2, header.CalMax - header.CalMin) : null,
        };
        if (Description.DefaultWindow is null && header.Samples == 1)
            Description = Description with { DefaultWindow = SampledWindow() };
    }

    private DisplaySettings Settings(IReadOnlyList<Window> windows) => new()
    {
        RescaleSlope = _header.Slope is 0 or double.NaN ? 1 : _header.Slope,
        RescaleIntercept = double.IsNaN(_header.Intercept) || _header.Slope is 0 or double.NaN ? 0 : _header.Intercept,
        Windows = windows,
    };

    /// <summary>
    /// The window of the volume's scaled range, read from evenly spaced axial slices (each one contiguous read, and
    /// within the decode limits); null when the voxels cannot be read (the image request then says why) or hold one value.
    /// </summary>
    private (double Center, double Width)? SampledWindow()
    {
        try
        {
            var slices = (int)_header.Z;
            _limits.CheckDeclared("NIfTI header (axial slices)", (int)_header.X, (int)_header.Y);
            var (min, max) = (double.MaxValue, double.MinValue);
            var settings = Settings([]);
            var samples = Math.Min(RangeSamples, slices);
            for (var k = 0; k < samples; k++)
            {
                var index = samples == 1 ? slices / 2 : (int)((long)k * (slices - 1) / (samples - 1));
                var (low, high) = FrameRenderer.Range(ReadSlice(SliceAxis.Z, index, 0), settings);
                (min, max) = (Math.Min(min, low), Math.Max(max, high));
            }
            return max > min ? ((min + max) / 2, max - min) : null;
        }
        catch (ImageException)
        {
            return null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    public ImageDescription Description { get; }

    private double Size(int axis) => _header.VoxelSize.Length > axis ? Math.Abs(_header.VoxelSize[axis]) : 0;

    private (int Width, int Height, int Slices) Geometry() => Geometry(_axis);

    private (int Width, int Height, int Slices) Geometry(SliceAxis axis) => axis switch
    {
        SliceAxis.Z => ((int)_header.X, (int)_header.Y, (int)_header.Z),
        SliceAxis.Y => ((int)_header.X, (int)_header.Z, (int)_header.Y),
        _ => ((int)_header.Y, (int)_header.Z, (int)_header.X),
    };

    public RasterImage Read(int level, PixelRect region, ImagePlane plane, RenderOptions options)
    {
        var frame = Slice(Math.Clamp(plane.Z, 0, Description.SizeZ - 1), Math.Clamp(plane.T, 0, Description.SizeT - 1));
        // NIfTI values are continuous (often floats between 0 and 1): windows are exact, without DICOM's half-unit steps.
        var settings = Settings(Description.DefaultWindow is { } w ? [new Window(w.Center, w.Width, WindowFunction.LinearExact)] : []);
        if (options.Window is { Function: WindowFunction.Linear } asked)
            options = options with { Window = asked with { Function = WindowFunction.LinearExact } };
        return RasterSource.Crop(FrameRenderer.Render(frame, settings, options), region);
    }

    /// <summary>One slice as a frame of stored voxel values (little endian), rows flipped so the highest index is on top.</summary>
    public PixelFrame Slice(int index, int time) => ReadSlice(_axis, index, time);

    private PixelFrame ReadSlice(SliceAxis axis, int index, int time)
    {
        var (width, height, _) = Geometry(axis);
        var bytes = _header.BytesPerVoxel;
        var (nx, ny, nz) = (_header.X, _header.Y, _header.Z);
        var volume = (long)time * nx * ny * nz * bytes;
        using var stream = _open();
        // The whole time point must be in the file before a slice of it is allocated (the header can claim any size).
        if (_header.VoxelOffset < 0 || (Int128)_header.VoxelOffset + (Int128)(time + 1) * nx * ny * nz * bytes > stream.Length)
            throw ImageException.Malformed("the NIfTI voxels end before the volume does (truncated)");
        var data = new byte[DecodeLimits.BufferSize("a NIfTI slice", width, height, bytes)];
        if (axis == SliceAxis.Z)
        {
            Seek(stream, _header.VoxelOffset + volume + (long)index * nx * ny * bytes);
            ReadExactly(stream, data);
        }
        else
        {
            // A slice across y or x gathers a row (or one voxel) from each z plane.
            var row = new byte[nx * bytes];
            for (var z = 0; z < nz; z++)
            {
                if (axis == SliceAxis.Y)
                {
                    Seek(stream, _header.VoxelOffset + volume + ((long)z * ny + index) * nx * bytes);
                    ReadExactly(stream, row);
                    row.CopyTo(data, (long)z * width * bytes);
                }
                else
                {
                    for (var y = 0; y < ny; y++)
                    {
                        Seek(stream, _header.VoxelOffset + volume + (((long)z * ny + y) * nx + index) * bytes);
                        ReadExactly(stream, data.AsSpan((int)(((long)z * width + y) * bytes), bytes));
                    }
                }
            }
        }
        if (_header.BigEndian && bytes > 1 && _header.Samples == 1)
        {
            for (var i = 0; i + bytes <= data.Length; i += bytes)
                data.AsSpan(i, bytes).Reverse();
        }
        FlipRows(data, width, height, bytes);
        return new PixelFrame(Layout(width, height), data);
    }

    private PixelLayout Layout(int width, int height)
    {
        var type = _header.DataType;
        var bits = _header.Samples > 1 ? 8 : _header.BitsPerVoxel;
        return new PixelLayout
        {
            Rows = height,
            Columns = width,
            SamplesPerPixel = _header.Samples == 4 ? 4 : _header.Samples,
            BitsAllocated = bits,
            BitsStored = bits,
            HighBit = bits - 1,
            IsSigned = type is 4 or 8 or 256 or 1024,
            IsFloat = type is 16 or 64,
            Photometric = _header.Samples > 1 ? Photometric.Rgb : Photometric.Monochrome2,
        };
    }

    private static void FlipRows(byte[] data, int width, int height, int bytes)
    {
        var stride = width * bytes;
        var swap = new byte[stride];
        for (var y = 0; y < height / 2; y++)
        {
            var top = data.AsSpan(y * stride, stride);
            var bottom = data.AsSpan((height - 1 - y) * stride, stride);
            top.CopyTo(swap);
            bottom.CopyTo(top);
            swap.CopyTo(bottom);
        }
    }

    private static void Seek(Stream stream, long position)
    {
        if (position < 0 || position > stream.Length)
            throw ImageException.Malformed("the NIfTI voxels end before the volume does (truncated)");
        stream.Position = position;
    }

    private static void ReadExactly(Stream stream, Span<byte> into)
    {
        if (stream.ReadAtLeast(into, into.Length, throwOnEndOfStream: false) < into.Length)
            throw ImageException.Malformed("the NIfTI voxels end before the volume does (truncated)");
    }

    public void Dispose() => _owned?.Dispose();
}
