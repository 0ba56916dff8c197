using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Tessera.Archive;
using Tessera.Archive.Dicom.Query;
using Tessera.Imaging.Codecs;
using Tessera.Imaging.Dicom;
using Tessera.Server.Imaging;
using Tessera.Archive.Storage;
using Tessera.Dicom.IO;
using Tessera.Imaging;
using Tessera.Imaging.Tiles;
using Tessera.Server.Api;

namespace Tessera.Server.DicomWeb;

/// <summary>
/// Retrieve Rendered (PS3.18 10.4.1.1.3) and thumbnails (10.4.1.1.4): studies, series, instances and frames as
/// JPEG or PNG for previews (<see cref="DicomFrameRenderer"/>), each render in a decode slot.
/// <list type="bullet">
/// <item>An instance: its first frame; with multipart/related accepted, every frame, one part each. Frames: those named
/// (several need multipart/related).</item>
/// <item>A study or series: one representative instance, as PS3.18 lets the origin server choose: of a series its middle
/// image by Instance Number; of a study that of its first series (by Series Number) holding images.</item>
/// <item>A thumbnail: the same instance's middle frame (a frame's thumbnail: that frame), fitted into 256 × 256 unless a
/// viewport is given, never enlarged.</item>
/// </list>
/// Answers carry an ETag (the stored content and the request) and are cached like image tiles.
/// </summary>
internal static class RenderedEndpoints
{
    public static Task Rendered(HttpContext context, DicomQueryService queries, IBlobStore blobs, BlobFiles files, DicomTranscoder transcoder, DecodeLimiter limiter,
        IOptions<ImagingOptions> options) => RenderAsync(context, queries, blobs, files, transcoder, limiter, options.Value, thumbnail: false, frames: null);

    public static Task Thumbnail(HttpContext context, DicomQueryService queries, IBlobStore blobs, BlobFiles files, DicomTranscoder transcoder, DecodeLimiter limiter,
        IOptions<ImagingOptions> options) => RenderAsync(context, queries, blobs, files, transcoder, limiter, options.Value, thumbnail: true, frames: null);

    public static Task FramesRendered(HttpContext context, DicomQueryService queries, IBlobStore blobs, BlobFiles files, DicomTranscoder transcoder, DecodeLimiter limiter,
        IOptions<ImagingOptions> options, string frames) => RenderAsync(context, queries, blobs, files, transcoder, limiter, options.Value, thumbnail: false, frames);

    public static Task FramesThumbnail(HttpContext context, DicomQueryService queries, IBlobStore blobs, BlobFiles files, DicomTranscoder transcoder, DecodeLimiter limiter,
        IOptions<ImagingOptions> options, string frames) => RenderAsync(context, queries, blobs, files, transcoder, limiter, options.Value, thumbnail: true, frames);

    private static async Task RenderAsync(HttpContext context, DicomQueryService queries, IBlobStore blobs, BlobFiles files, DicomTranscoder transcoder, DecodeLimiter limiter,
        ImagingOptions options, bool thumbnail, string? frames)
    {
        var (window, viewport, quality) = RenderParameters.Parse(context.Request.Query);
        var numbers = frames is null ? null : WadoEndpoints.FrameNumbers(frames);
        var instances = await WadoEndpoints.FindAsync(context, queries);
        var level = context.GetRouteValue("instance") is string ? null : context.GetRouteValue("series") is string ? "Series" : "Study";
        var instance = level is null ? instances[0] : Representative(instances)
            ?? throw new TesseraException(ErrorKind.NotAcceptable, $"{level} {(string)context.GetRouteValue(level.ToLowerInvariant())!} holds no image to render.");
        var accept = AcceptHeader.Parse(context.Request);
        var form = RenderedNegotiation.Select(accept, singleAllowed: numbers is not { Count: > 1 })
            ?? throw new TesseraException(ErrorKind.NotAcceptable,
                $"Rendered images are image/jpeg or image/png{(numbers is { Count: > 1 } ? "; several frames come as multipart/related; type=\"image/jpeg\" (or image/png)" : "")}. Accepted: {accept}");
        if (NotModified(context, instance, options))
            return;

        var ct = context.RequestAborted;
        DicomFile file;
        await using (var content = await blobs.OpenReadAsync(instance.FileKey, ct))
            file = await WadoEndpoints.ReadStoredAsync(content, files, instance.FileKey, ct);
        DicomPixelData pixels;
        try
        {
            pixels = DicomPixelData.Open(file, transcoder.Limits);
        }
        catch (ImageException e) when (e.Kind == ImageErrorKind.Unsupported)
        {
            throw new TesseraException(ErrorKind.NotAcceptable, $"Instance {instance.SopInstanceUid} cannot be rendered as an image: {e.Message}.");
        }
        if (numbers?.Max() is { } highest && highest > pixels.FrameCount)
            throw TesseraException.NotFound($"Frame {highest} of instance {instance.SopInstanceUid} (it has {pixels.FrameCount})");
        List<int> indexes = numbers?.Select(n => n - 1).ToList()
            ?? (thumbnail ? [pixels.FrameCount / 2] : form.Multipart && level is null ? Enumerable.Range(0, pixels.FrameCount).ToList() : [0]);
        var request = new RenderRequest(window, viewport, form.MediaType, quality ?? options.JpegQuality) { FitInto = thumbnail ? ThumbnailService.Size : null };
        CheckBudget(pixels, indexes.Count, viewport, options);

        EncodedImage first;
        try
        {
            first = await limiter.RunAsync(() => DicomFrameRenderer.Render(pixels, indexes[0], request), ct);
        }
        catch (ImageException e) when (e.Kind == ImageErrorKind.Unsupported)
        {
            throw new TesseraException(ErrorKind.NotAcceptable, $"Instance {instance.SopInstanceUid} cannot be rendered: {e.Message}.");
        }
        var body = context.Response.Body;
        if (!form.Multipart)
        {
            context.Response.ContentType = first.MediaType;
            context.Response.ContentLength = first.Bytes.Length;
            await body.WriteAsync(first.Bytes, ct);
            return;
        }
        var multipart = new MultipartRelatedWriter(body);
        context.Response.ContentType = multipart.ContentType(form.MediaType);
        for (var i = 0; i < indexes.Count; i++)
        {
            var index = indexes[i];
            var image = i == 0 ? first : await limiter.RunAsync(() => DicomFrameRenderer.Render(pixels, index, request), ct);
            await multipart.StartPartAsync(image.MediaType, image.Bytes.Length, ct);
            await body.WriteAsync(image.Bytes, ct);
        }
        await multipart.EndAsync(ct);
    }

    /// <summary>
    /// What one request may render: frames × the larger of a frame's pixels and the viewport's, at most
    /// <see cref="ImagingOptions.MaxDecodedPixels"/> (a 1 × 1 frame scaled to 4096 × 4096 costs as much as a large one).
    /// More is refused before any decoding, with the way to ask for less.
    /// </summary>
    private static void CheckBudget(DicomPixelData pixels, int frames, Viewport? viewport, ImagingOptions options)
    {
        var perFrame = Math.Max((long)pixels.Layout.Rows * pixels.Layout.Columns, viewport is null ? 0 : (long)viewport.Width * viewport.Height);
        var budget = options.MaxDecodedPixels;
        if (frames > 1 && frames * perFrame > budget)
        {
            throw TesseraException.Invalid(
                $"Rendering {frames} frames of {perFrame:N0} pixels each is more than one request may ask for ({budget:N0} pixels, Imaging:MaxDecodedPixels): "
                + "ask for fewer frames at a time (…/frames/1,2,3/rendered) or a smaller viewport.");
        }
    }

    /// <summary>
    /// The instance that stands for a study or series: among those with pixels (Rows in the index), the first series
    /// by Series Number (then UID), and in it the middle instance by Instance Number (then UID).
    /// </summary>
    internal static StoredInstance? Representative(IReadOnlyList<StoredInstance> instances)
    {
        var images = instances.Where(i => i.Rows is > 0).ToList();
        if (images.Count == 0)
            return null;
        var series = images
            .GroupBy(i => i.SeriesInstanceUid)
            .OrderBy(g => g.First().SeriesNumber ?? int.MaxValue).ThenBy(g => g.Key, StringComparer.Ordinal)
            .First()
            .OrderBy(i => i.InstanceNumber ?? int.MaxValue).ThenBy(i => i.SopInstanceUid, StringComparer.Ordinal)
            .ToList();
        return series[series.Count / 2];
    }

    /// <summary>Sets ETag and caching headers; answers 304 when the client holds this rendering already.</summary>
    private static bool NotModified(HttpContext context, StoredInstance instance, ImagingOptions options)
    {
        var request = context.Request;
        var identity = $"{instance.FileKey}|{request.Path}|{request.QueryString}|{request.Headers.Accept}";
        var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)).AsSpan(0, 16))}\"";
        var headers = context.Response.Headers;
        headers.ETag = etag;
        headers.CacheControl = $"{(instance.ProjectIsPublic ? "public" : "private")}, max-age={options.CacheSeconds}";
        headers.Vary = "Accept, Authorization, Cookie";
        if (!request.Headers.IfNoneMatch.Contains(etag))
            return false;
        context.Response.StatusCode = StatusCodes.Status304NotModified;
        return true;
    }
}
