using System.Globalization;
using System.Text.Json;
using Tessera.Archive;
using Tessera.Archive.Dicom;
using Tessera.Archive.Dicom.Query;
using Tessera.Imaging.Codecs;
using Tessera.Imaging.Dicom;
using Tessera.Server.Imaging;
using Tessera.Archive.Storage;
using Tessera.Dicom;
using Tessera.Dicom.IO;
using Tessera.Dicom.Json;
using Tessera.Server.Api;
using Tessera.Server.Auth;

namespace Tessera.Server.DicomWeb;

/// <summary>
/// WADO-RS (PS3.18 10.4): studies, series and instances (multipart/related application/dicom), their metadata as
/// application/dicom+json with bulk data by URI, bulk data, and frames. What is sent is negotiated per object
/// (<see cref="RetrieveNegotiation"/>): as stored, or decoded and re-encoded in Explicit VR Little Endian
/// (<see cref="DicomTranscoder"/>), one instance and one frame at a time.
/// </summary>
internal static partial class WadoEndpoints
{
    /// <summary>Binary values up to this size are inlined in metadata; larger ones are given by BulkDataURI.</summary>
    private const int InlineBinaryThreshold = 1024;

    public static async Task Retrieve(HttpContext context, DicomQueryService queries, IBlobStore blobs, BlobFiles files, DicomTranscoder transcoder)
    {
        var instances = await FindAsync(context, queries);
        var accept = AcceptHeader.Parse(context.Request);
        var plans = instances.Select(instance =>
        {
            var forms = RetrieveNegotiation.InstanceForms(instance.TransferSyntaxUid);
            var selection = RetrieveNegotiation.Select(accept, forms, DicomMediaTypes.Dicom, singlePart: instances.Count == 1)
                ?? throw new TesseraException(ErrorKind.NotAcceptable,
                    RetrieveNegotiation.Refusal($"Instance {instance.SopInstanceUid}", instance.TransferSyntaxUid, forms, accept));
            return (Instance: instance, Selection: selection);
        }).ToList();
        var ct = context.RequestAborted;
        // The first object to decode is made ready before anything is sent: one that cannot be decoded is refused with its status.
        var firstTranscoded = plans.FindIndex(p => !p.Selection.Representation.AsStored);
        TranscodedInstance? prepared = firstTranscoded < 0 ? null : await PrepareAsync(plans[firstTranscoded].Instance, blobs, files, transcoder, ct);

        var body = context.Response.Body;
        if (!plans[0].Selection.Multipart)
        {
            var (instance, selection) = plans[0];
            context.Response.ContentType = $"{DicomMediaTypes.Dicom}; transfer-syntax={selection.Representation.TransferSyntaxUid}";
            if (prepared is not null)
            {
                await transcoder.WriteAsync(prepared, body, ct);
                return;
            }
            context.Response.ContentLength = instance.Size;
            await using var content = await blobs.OpenReadAsync(instance.FileKey, ct);
            await content.CopyToAsync(body, 1 << 20, ct);
            return;
        }
        var multipart = new MultipartRelatedWriter(body);
        context.Response.ContentType = multipart.ContentType(DicomMediaTypes.Dicom);
        for (var i = 0; i < plans.Count; i++)
        {
            var (instance, selection) = plans[i];
            var partType = $"{DicomMediaTypes.Dicom}; transfer-syntax={selection.Representation.TransferSyntaxUid}";
            if (selection.Representation.AsStored)
            {
                await using var content = await blobs.OpenReadAsync(instance.FileKey, ct);
                await multipart.StartPartAsync(partType, instance.Size, ct);
                await content.CopyToAsync(body, 1 << 20, ct);
                continue;
            }
            var ready = i == firstTranscoded ? prepared! : await PrepareAsync(instance, blobs, files, transcoder, ct);
            await multipart.StartPartAsync(partType, null, ct);
            await transcoder.WriteAsync(ready, body, ct);
        }
        await multipart.EndAsync(ct);
    }

    /// <summary>Reads a stored instance and gets it ready to transcode; what cannot be decoded is not acceptable in that form (406).</summary>
    private static async Task<TranscodedInstance> PrepareAsync(StoredInstance instance, IBlobStore blobs, BlobFiles files, DicomTranscoder transcoder, CancellationToken ct)
    {
        DicomFile file;
        await using (var content = await blobs.OpenReadAsync(instance.FileKey, ct))
            file = await ReadStoredAsync(content, files, instance.FileKey, ct);
        try
        {
            return await transcoder.PrepareAsync(file, ct);
        }
        catch (Tessera.Imaging.ImageException e) when (e.Kind == Tessera.Imaging.ImageErrorKind.Unsupported)
        {
            throw new TesseraException(ErrorKind.NotAcceptable,
                $"Instance {instance.SopInstanceUid} cannot be sent in Explicit VR Little Endian: {e.Message}. Ask for transfer-syntax=* to have it as stored.");
        }
    }

    public static async Task Metadata(HttpContext context, DicomQueryService queries, IBlobStore blobs, BlobFiles files)
    {
        if (!AcceptHeader.Parse(context.Request).Allows(DicomMediaTypes.DicomJson, "application/json"))
            throw new TesseraException(ErrorKind.NotAcceptable, "Metadata is given as application/dicom+json only.");
        var instances = await FindAsync(context, queries);
        var baseUrl = DicomWebContext.BaseUrl(context);
        var ct = context.RequestAborted;
        context.Response.ContentType = DicomMediaTypes.DicomJson;
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        writer.WriteStartArray();
        foreach (var instance in instances)
        {
            await using var content = await blobs.OpenReadAsync(instance.FileKey, ct);
            var file = await ReadStoredAsync(content, files, instance.FileKey, ct);
            var instanceUrl = DicomWebContext.InstanceUrl(baseUrl, instance.StudyInstanceUid, instance.SeriesInstanceUid, instance.SopInstanceUid);
            var options = new DicomJsonOptions
            {
                InlineBinaryThreshold = InlineBinaryThreshold,
                BulkDataUri = (element, path) => $"{instanceUrl}/bulk/{BulkPath(path, element.Tag)}",
            };
            DicomJsonWriter.Write(writer, file.Dataset, options);
            await writer.FlushAsync(ct);
        }
        writer.WriteEndArray();
        await writer.FlushAsync(ct);
    }

    public static async Task Frames(HttpContext context, DicomQueryService queries, IBlobStore blobs, BlobFiles files, DicomTranscoder transcoder, string frames)
    {
        var numbers = FrameNumbers(frames);
        var instance = (await FindAsync(context, queries))[0];
        var ct = context.RequestAborted;
        await using var content = await blobs.OpenReadAsync(instance.FileKey, ct);
        var file = await ReadStoredAsync(content, files, instance.FileKey, ct);
        await WriteFramesAsync(context, content, file, instance.SopInstanceUid, numbers, transcoder);
    }

    public static async Task Bulk(HttpContext context, DicomQueryService queries, IBlobStore blobs, BlobFiles files, DicomTranscoder transcoder, string tag)
    {
        var instance = (await FindAsync(context, queries))[0];
        var ct = context.RequestAborted;
        await using var content = await blobs.OpenReadAsync(instance.FileKey, ct);
        var file = await ReadStoredAsync(content, files, instance.FileKey, ct);
        var element = Resolve(file.Dataset, tag) ?? throw TesseraException.NotFound($"Bulk data {tag} of instance {instance.SopInstanceUid}");
        switch (element)
        {
            case DicomFragments when element.Tag == DicomTags.PixelData:
                await WriteFramesAsync(context, content, file, instance.SopInstanceUid, null, transcoder);
                break;
            case DicomValueElement value:
                var accept = AcceptHeader.Parse(context.Request);
                var forms = new[] { new Representation(DicomMediaTypes.OctetStream, TransferSyntax.ExplicitVrLittleEndian.Uid, AsStored: true) };
                if (RetrieveNegotiation.Select(accept, forms, DicomMediaTypes.OctetStream, singlePart: true) is not { } selection)
                    throw new TesseraException(ErrorKind.NotAcceptable, $"Bulk data is given as multipart/related; type=\"application/octet-stream\" (little endian). Accepted: {accept}");
                var source = new FrameSegment(value.IsLoaded ? value.Bytes : default, value.Bulk);
                if (!selection.Multipart)
                {
                    context.Response.ContentType = DicomMediaTypes.OctetStream;
                    context.Response.ContentLength = value.Length;
                    await BlobBulkDataSource.CopyAsync(content, source, context.Response.Body, ct);
                    break;
                }
                var multipart = new MultipartRelatedWriter(context.Response.Body);
                context.Response.ContentType = multipart.ContentType(DicomMediaTypes.OctetStream);
                await multipart.StartPartAsync(DicomMediaTypes.OctetStream, value.Length, ct);
                await BlobBulkDataSource.CopyAsync(content, source, context.Response.Body, ct);
                await multipart.EndAsync(ct);
                break;
            default:
                throw TesseraException.NotFound($"Bulk data {tag} of instance {instance.SopInstanceUid}");
        }
    }

    /// <summary>The instances the route names in the projects the caller may read; 404 when there are none. Private reads are audited.</summary>
    internal static async Task<IReadOnlyList<StoredInstance>> FindAsync(HttpContext context, DicomQueryService queries)
    {
        var study = (string)context.GetRouteValue("study")!;
        var series = context.GetRouteValue("series") as string;
        var sop = context.GetRouteValue("instance") as string;
        var instances = await queries.InstancesAsync(context.GetCaller(), DicomWebContext.Project(context), study, series, sop, context.RequestAborted);
        if (instances.Count == 0)
        {
            throw TesseraException.NotFound(sop is not null ? $"Instance {sop}" : series is not null ? $"Series {series}" : $"Study {study}");
        }
        if (instances.FirstOrDefault(i => !i.ProjectIsPublic) is { } hidden)
            context.MarkPrivateRead(hidden.Project);
        return instances;
    }

    /// <summary>A stored instance's structure from <paramref name="content"/>; its bulk data stays in the blob's local file.</summary>
    internal static async Task<DicomFile> ReadStoredAsync(Stream content, BlobFiles files, string key, CancellationToken ct)
    {
        var source = new BlobBulkDataSource(await files.PathAsync(key, ct));
        try
        {
            return DicomReader.Read(content, new DicomReadOptions { BulkDataThreshold = InlineBinaryThreshold }, source);
        }
        catch (DicomException e)
        {
            throw TesseraException.Conflict($"The stored instance cannot be read: {e.Message}");
        }
    }

    private static IReadOnlyList<IReadOnlyList<FrameSegment>> Locate(DicomFile file)
    {
        try
        {
            return PixelDataFrames.Locate(file.Dataset, file.Syntax);
        }
        catch (DicomException e)
        {
            throw TesseraException.Conflict($"The frames of this instance cannot be located: {e.Message}");
        }
    }

    internal static List<int> FrameNumbers(string text)
    {
        var numbers = new List<int>();
        var seen = new HashSet<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
                throw TesseraException.Invalid($"Frame numbers are whole numbers from 1, separated by commas; '{part}' is not one.");
            // Each frame once: a list repeating one frame thousands of times made one request decode and send it thousands of times.
            if (!seen.Add(n))
                throw TesseraException.Invalid($"Frame {n} is asked for more than once; name each frame once.");
            numbers.Add(n);
        }
        return numbers;
    }

    /// <summary>A bulk data path: the sequence items leading to the element, then its tag ("00540016/0/00181072" style).</summary>
    private static string BulkPath(IReadOnlyList<(DicomTag Sequence, int Item)> path, DicomTag tag) =>
        string.Concat(path.Select(p => $"{p.Sequence.ToHex()}/{p.Item.ToString(CultureInfo.InvariantCulture)}/")) + tag.ToHex();

    private static DicomElement? Resolve(DicomDataset dataset, string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length % 2 == 0)
            return null;
        var current = dataset;
        for (var i = 0; i < parts.Length - 1; i += 2)
        {
            if (!DicomTag.TryParse(parts[i], out var sequenceTag) || current[sequenceTag] is not DicomSequence sequence
                || !int.TryParse(parts[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var item) || item >= sequence.Items.Count)
                return null;
            current = sequence.Items[item];
        }
        return DicomTag.TryParse(parts[^1], out var tag) ? current[tag] : null;
    }
}
