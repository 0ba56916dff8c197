using Microsoft.Extensions.Caching.Memory;
using Tessera.Archive.Dicom;
using Tessera.Archive.Storage;
using Tessera.Dicom.IO;
using Tessera.Imaging.Dicom;
using Tessera.Imaging;
using Tessera.Imaging.Codecs;
using Tessera.Imaging.Codecs.Jpeg;
using Tessera.Imaging.Encoding;
using Tessera.Imaging.Pixels;
using Tessera.Imaging.Sources;

namespace Tessera.Server.Imaging;

/// <summary>
/// The one list of image formats Tessera opens, recognised by their first bytes (never by name or media type):
/// DICOM, slides and tiled TIFF through OpenSlide, PNG and JPEG.
/// </summary>
/// <remarks>
/// Readers that need positioned reads or a path (DICOM bulk data, TIFF and slides, NIfTI, PNG read band by band) read
/// the blob's local file (<see cref="BlobFiles"/>: the store's own, or a bounded local copy); the others stream it.
/// </remarks>
/// <param name="maxDecodedPixels">The most pixels decoded at once (<see cref="ImagingOptions.MaxDecodedPixels"/>).</param>
/// <param name="limiter">Takes a decode slot for a picture decoded whole as it is opened; none when null.</param>
public sealed class ImageSourceFactory(
    IBlobStore blobs, BlobFiles files, IMemoryCache frames, long maxDecodedPixels = DecodeLimits.DefaultMaxPixels, DecodeLimiter? limiter = null)
{
    private const int SniffBytes = 512;

    private readonly DecodeLimits _limits = new() { MaxPixels = maxDecodedPixels };

    private static readonly (string Name, Func<byte[], bool> Matches)[] Formats =
    [
        ("DICOM", head => head.Length >= 132 && head.AsSpan(128, 4).SequenceEqual("DICM"u8) || DicomReader.LooksLikeDicom(head)),
        ("TIFF", head => head.AsSpan().StartsWith("II*\0"u8) || head.AsSpan().StartsWith("MM\0*"u8) || head.AsSpan().StartsWith("II+\0"u8) || head.AsSpan().StartsWith("MM\0+"u8)),
        ("PNG", head => head.AsSpan().StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47])),
        ("JPEG", head => head.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])),
        ("NIfTI", head => NiftiHeader.LooksLikeNifti(head)),
        ("gzip", head => head.AsSpan().StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B])),
    ];

    /// <summary>The format's name when the content is an image Tessera can show, else null.</summary>
    public static string? Recognise(ReadOnlySpan<byte> head)
    {
        var bytes = head.ToArray();
        return Formats.FirstOrDefault(f => f.Matches(bytes)).Name;
    }

    /// <summary>
    /// Opens the blob as an image source; <see cref="ImageException"/> when it is not one Tessera can show.
    /// <paramref name="axis"/> picks how a volume (NIfTI) is sliced; other images ignore it.
    /// </summary>
    public async Task<IImageSource> OpenAsync(string key, CancellationToken ct, SliceAxis axis = SliceAxis.Z)
    {
        var head = new byte[SniffBytes];
        int read;
        await using (var stream = await blobs.OpenReadAsync(key, ct))
            read = await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
        var format = Recognise(head.AsSpan(0, read))
            ?? throw ImageException.Unsupported("the file is not an image Tessera can show (DICOM, TIFF or slide, PNG, JPEG, NIfTI)");
        return format switch
        {
            "DICOM" => OpenDicomFile(key, await files.PathAsync(key, ct)),
            "TIFF" => await OpenStoredTiffAsync(key, ct),
            "NIfTI" => OpenNifti(await files.PathAsync(key, ct), axis),
            "gzip" => await OpenCompressedNiftiAsync(key, axis, ct),
            _ => await OpenRasterAsync(key, format, ct),
        };
    }

    private NiftiSource OpenNifti(string path, SliceAxis axis)
    {
        var head = new byte[540];
        int read;
        using (var stream = OpenLocal(path))
            read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        var header = NiftiHeader.Parse(head.AsSpan(0, read));
        return new NiftiSource(header, () => OpenLocal(path), axis, limits: _limits);
    }

    private static FileStream OpenLocal(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16);

    /// <summary>A .nii.gz is inflated once into a temporary file, deleted when the source is let go.</summary>
    private async Task<NiftiSource> OpenCompressedNiftiAsync(string key, SliceAxis axis, CancellationToken ct)
    {
        var path = Path.Combine(Path.GetTempPath(), $"tessera-nifti-{Guid.NewGuid():N}.nii");
        var spool = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.DeleteOnClose);
        try
        {
            await using (var compressed = await blobs.OpenReadAsync(key, ct))
            await using (var inflate = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionMode.Decompress))
                await inflate.CopyToAsync(spool, 1 << 20, ct);
            await spool.FlushAsync(ct);
            var head = new byte[540];
            spool.Position = 0;
            var read = spool.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            if (!NiftiHeader.LooksLikeNifti(head.AsSpan(0, read)))
                throw ImageException.Unsupported("the gzip file does not hold a NIfTI volume");
            var header = NiftiHeader.Parse(head.AsSpan(0, read));
            return new NiftiSource(header, () => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete), axis, spool, _limits);
        }
        catch (InvalidDataException e)
        {
            await spool.DisposeAsync();
            throw new ImageException(ImageErrorKind.Malformed, $"the gzip file does not inflate: {e.Message}", e);
        }
        catch
        {
            await spool.DisposeAsync();
            throw;
        }
    }

    /// <summary>A DICOM instance from its local file (synchronous: for a series' planes, opened as they are shown).</summary>
    public IImageSource OpenDicomFile(string key, string path) => new DicomImageSource(ReadPixels(path), key, frames);

    /// <summary>A whole-slide series' instances (one per level) as one pyramid.</summary>
    public async Task<IImageSource> OpenWholeSlideAsync(IReadOnlyList<string> keys, string cacheKey, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var levels = new List<DicomPixelData>(keys.Count);
        foreach (var key in keys)
            levels.Add(ReadPixels(await files.PathAsync(key, ct)));
        return DicomWsiSource.Open(levels, cacheKey, frames);
    }

    private DicomPixelData ReadPixels(string path)
    {
        using var stream = OpenLocal(path);
        try
        {
            var file = DicomReader.Read(stream, new DicomReadOptions { BulkDataThreshold = 64 * 1024 }, new BlobBulkDataSource(path));
            return DicomPixelData.Open(file, _limits);
        }
        catch (Tessera.Dicom.DicomException e)
        {
            throw new ImageException(ImageErrorKind.Malformed, $"the DICOM file cannot be read: {e.Message}", e);
        }
    }

    /// <summary>
    /// Vendor slides (Aperio, Hamamatsu, …) through OpenSlide; every other TIFF through libtiff, stored tiles and all.
    /// A large TIFF stored at one resolution is shown through a reduced copy until its pyramid is built.
    /// </summary>
    public async Task<IImageSource> OpenStoredTiffAsync(string key, CancellationToken ct)
    {
        var path = await files.PathAsync(key, ct);
        if (OpenSlideSource.DetectVendor(path) is { } vendor && vendor != "generic-tiff")
            return OpenSlideSource.Open(path, _limits);
        var tiff = TiffSource.Open(path, _limits);
        try
        {
            return ReducedSource.Suits(tiff.Description) ? new ReducedSource(tiff) : tiff;
        }
        catch
        {
            tiff.Dispose();
            throw;
        }
    }

    /// <summary>A pyramid built by <see cref="PyramidService"/> (a tiled JPEG BigTIFF).</summary>
    public async Task<IImageSource> OpenPyramidAsync(string key, CancellationToken ct) => TiffSource.Open(await files.PathAsync(key, ct), _limits);

    private async Task<IImageSource> OpenRasterAsync(string key, string format, CancellationToken ct)
    {
        // A picture is decoded whole up to maxDecodedPixels. A larger PNG is read band by band (through a reduced copy
        // for coarse views) until its pyramid is built; a larger JPEG is shown reduced until then.
        var maxPixels = maxDecodedPixels;
        var head = new byte[1 << 20];
        int read;
        await using (var peek = await blobs.OpenReadAsync(key, ct))
            read = await peek.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
        if (RasterHeader.Size(head.AsSpan(0, read)) is var (width, height) && (long)width * height > maxPixels)
        {
            if (format == "PNG")
            {
                try
                {
                    var path = await files.PathAsync(key, ct);
                    return new ReducedSource(new PngStreamSource(() => OpenLocal(path)));
                }
                catch (ImageException e) when (e.Kind == ImageErrorKind.Unsupported)
                {
                    throw ImageException.NeedsPyramid($"the {width} x {height} PNG cannot be read band by band ({e.Message}): it is shown once its pyramid is built");
                }
            }
            // A JPEG: its overview at once (decoded reduced); full resolution once the pyramid is built.
            await using var whole = await blobs.OpenReadAsync(key, ct);
            if (whole.CanSeek && whole.Length > 1L << 30)
                throw ImageException.NeedsPyramid($"the {width} x {height} JPEG is over 1 GB: it is shown once its pyramid is built");
            using var bytes = new MemoryStream();
            await whole.CopyToAsync(bytes, ct);
            return await DecodeAsync(() => JpegPreviewSource.Open(bytes.ToArray(), width, height, maxPixels), ct);
        }
        await using var stream = await blobs.OpenReadAsync(key, ct);
        if (stream.CanSeek && stream.Length > 256L << 20)
            throw ImageException.NeedsPyramid($"{format} files over 256 MB are shown once their pyramid is built");
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, ct);
        buffer.Position = 0;
        var image = await DecodeAsync(() =>
        {
            var frame = format == "PNG" ? PngDecoder.Decode(buffer, maxPixels) : JpegDecoder.DecodeFile(buffer.ToArray(), maxPixels);
            return frame.Layout.BitsAllocated == 8
                ? new RasterImage(frame.Width, frame.Height, frame.Layout.SamplesPerPixel, frame.Data)
                : Tessera.Imaging.Display.FrameRenderer.Render(frame, Tessera.Imaging.Display.DisplaySettings.None);
        }, ct);
        return new RasterSource(image, format);
    }

    /// <summary>A whole-picture decode, in a decode slot when the node limits them.</summary>
    private async Task<T> DecodeAsync<T>(Func<T> decode, CancellationToken ct) =>
        limiter is null ? decode() : await limiter.RunAsync(decode, ct);
}
