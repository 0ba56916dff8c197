using System.Buffers.Binary;
using Tessera.Imaging.Codecs;
using Tessera.Imaging.Display;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Sources;

/// <summary>
/// Which axis a volume is cut across: axial (z), coronal (y) or sagittal (x) — of the patient when the NIfTI header
/// orients the volume, else of the voxels.
/// </summary>
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
/// from at most <see cref="RangeSamples"/> planes of the third voxel axis of the first time point when the source is opened), so
/// that every slice of every axis is shown in the same window.
/// A volume the header orients (sform, else qform) is shown as radiology shows it: anterior (axial) or superior
/// (coronal, sagittal) up, the patient's right on the left of an axial or coronal slice, anterior on the left of a
/// sagittal one, and slices numbered towards right, anterior or superior. Without an orientation the voxels are
/// shown in their order, rows from the highest index down.
/// </summary>
public sealed class NiftiSource : IImageSource
{
    private readonly NiftiHeader _header;
    private readonly Func<Stream> _open;
    private readonly View _view;
    private readonly IDisposable? _owned;
    private readonly DecodeLimits _limits;

    /// <summary>How many planes the default window's range is read from, at most.</summary>
    public const int RangeSamples = 16;

    /// <param name="owned">What the source keeps alive and releases with itself (a temporary inflated copy).</param>
    /// <param name="limits">Bounds a slice, which is read whole; <see cref="DecodeLimits.Default"/> when null.</param>
    public NiftiSource(NiftiHeader header, Func<Stream> open, SliceAxis axis, IDisposable? owned = null, DecodeLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(header);
        (_header, _open, _owned) = (header, open, owned);
        _limits = limits ?? DecodeLimits.Default;
        if (header.Dimensions.Take(3).Any(d => d > int.MaxValue))
            throw ImageException.Unsupported($"the NIfTI volume's dimensions ({string.Join(" x ", header.Dimensions)}) are larger than supported");
        _view = ViewOf(axis, header.Orientation);
        var (width, height, slices) = (Dim(_view.Across), Dim(_view.Up), Dim(_view.Normal));
        _limits.CheckDeclared($"NIfTI header ({axis} slices)", width, height);
        var (sx, sy) = (Size(_view.Across), Size(_view.Up));
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
    /// The window of the volume's scaled range, read from evenly spaced planes of the third voxel axis (each one contiguous read, and
    /// within the decode limits); null when the voxels cannot be read (the image request then says why) or hold one value.
    /// </summary>
    private (double Center, double Width)? SampledWindow()
    {
        try
        {
            var slices = (int)_header.Z;
            _limits.CheckDeclared("NIfTI header (z planes)", (int)_header.X, (int)_header.Y);
            var (min, max) = (double.MaxValue, double.MinValue);
            var settings = Settings([]);
            var samples = Math.Min(RangeSamples, slices);
            for (var k = 0; k < samples; k++)
            {
                var index = samples == 1 ? slices / 2 : (int)((long)k * (slices - 1) / (samples - 1));
                var (plane, _, _) = ReadPlane(2, index, 0);
                var (low, high) = FrameRenderer.Range(new PixelFrame(Layout(Dim(0), Dim(1)), plane), settings);
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

    private int Dim(int voxelAxis) => (int)(voxelAxis switch { 0 => _header.X, 1 => _header.Y, _ => _header.Z });

    /// <summary>How a view maps to the voxels: the voxel axis cut across, those shown across and up, and which of them run backwards.</summary>
    private readonly record struct View(int Normal, int Across, int Up, bool FlipNormal, bool FlipAcross, bool FlipUp);

    private static View ViewOf(SliceAxis axis, NiftiOrientation? orientation)
    {
        // World axes (RAS): the view's normal, the one shown across and the one shown up.
        var (normal, across, up) = axis switch { SliceAxis.Z => (2, 0, 1), SliceAxis.Y => (1, 0, 2), _ => (0, 1, 2) };
        if (orientation is null)
            return new View(normal, across, up, false, false, true);
        int Voxel(int world) => orientation.VoxelOf(world);
        int Sign(int world) => orientation.SignOfVoxel[Voxel(world)];
        // Screen right is the negative end of the across axis (the patient's left, or posterior); up the positive end.
        return new View(Voxel(normal), Voxel(across), Voxel(up), Sign(normal) < 0, Sign(across) > 0, Sign(up) > 0);
    }

    public RasterImage Read(int level, PixelRect region, ImagePlane plane, RenderOptions options)
    {
        var frame = Slice(Math.Clamp(plane.Z, 0, Description.SizeZ - 1), Math.Clamp(plane.T, 0, Description.SizeT - 1));
        // NIfTI values are continuous (often floats between 0 and 1): windows are exact, without DICOM's half-unit steps.
        var settings = Settings(Description.DefaultWindow is { } w ? [new Window(w.Center, w.Width, WindowFunction.LinearExact)] : []);
        if (options.Window is { Function: WindowFunction.Linear } asked)
            options = options with { Window = asked with { Function = WindowFunction.LinearExact } };
        return RasterSource.Crop(FrameRenderer.Render(frame, settings, options), region);
    }

    /// <summary>One slice of the view as a frame of stored voxel values (little endian), oriented as shown.</summary>
    public PixelFrame Slice(int index, int time)
    {
        var voxel = _view.FlipNormal ? Dim(_view.Normal) - 1 - index : index;
        var (plane, first, _) = ReadPlane(_view.Normal, voxel, time);
        var (width, height) = (Dim(_view.Across), Dim(_view.Up));
        var bytes = _header.BytesPerVoxel;
        var data = new byte[plane.Length];
        var planeWidth = Dim(first);
        for (var row = 0; row < height; row++)
        {
            var up = _view.FlipUp ? height - 1 - row : row;
            if (_view.Across == first && !_view.FlipAcross)
            {
                plane.AsSpan(up * planeWidth * bytes, width * bytes).CopyTo(data.AsSpan(row * width * bytes));
                continue;
            }
            for (var column = 0; column < width; column++)
            {
                var across = _view.FlipAcross ? width - 1 - column : column;
                var (a, b) = _view.Across == first ? (across, up) : (up, across);
                plane.AsSpan((b * planeWidth + a) * bytes, bytes).CopyTo(data.AsSpan((row * width + column) * bytes));
            }
        }
        return new PixelFrame(Layout(width, height), data);
    }

    /// <summary>
    /// The plane of voxel axis <paramref name="normal"/> at <paramref name="index"/>, in voxel order (the lower of the two
    /// other axes fastest) with samples little endian, and which voxel axes run across and down it.
    /// </summary>
    private (byte[] Data, int First, int Second) ReadPlane(int normal, int index, int time)
    {
        var (first, second) = normal switch { 2 => (0, 1), 1 => (0, 2), _ => (1, 2) };
        var (width, height) = (Dim(first), Dim(second));
        var bytes = _header.BytesPerVoxel;
        var (nx, ny, nz) = (_header.X, _header.Y, _header.Z);
        var volume = (long)time * nx * ny * nz * bytes;
        using var stream = _open();
        // The whole time point must be in the file before a slice of it is allocated (the header can claim any size).
        if (_header.VoxelOffset < 0 || (Int128)_header.VoxelOffset + (Int128)(time + 1) * nx * ny * nz * bytes > stream.Length)
            throw ImageException.Malformed("the NIfTI voxels end before the volume does (truncated)");
        var data = new byte[DecodeLimits.BufferSize("a NIfTI slice", width, height, bytes)];
        if (normal == 2)
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
                if (normal == 1)
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
        return (data, first, second);
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
