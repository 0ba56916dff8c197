using System.Globalization;
using System.Text.Json;
using Tessera.Archive;
using Tessera.Archive.Dicom;
using Tessera.Archive.Dicom.Query;
using Tessera.Archive.Storage;
using Tessera.Dicom;
using Tessera.Dicom.IO;
using Tessera.Dicom.Json;
using Tessera.Server.Api;
using Tessera.Server.Auth;

namespace Tessera.Server.DicomWeb;

/// <summary>
/// WADO-RS (PS3.18 10.4): studies, series and instances as stored (multipart/related application/dicom),
/// their metadata as application/dicom+json with bulk data by URI, bulk data, and frames.
/// Nothing is transcoded: instances and compressed frames go out in their stored transfer syntax.
/// </summary>
internal static class WadoEndpoints
{
    /// <summary>Binary values up to this size are inlined in metadata; larger ones are given by BulkDataURI.</summary>
    private const int InlineBinaryThreshold = 1024;

    public static async Task Retrieve(HttpContext context, DicomQueryService queries, IBlobStore blobs)
    {
        var instances = await FindAsync(context, queries);
        var accept = AcceptHeader.Parse(context.Request);
        foreach (var syntax in instances.Select(i => i.TransferSyntaxUid).Distinct())
        {
            if (!accept.AllowsMultipart(DicomMediaTypes.Dicom, syntax))
            {
                throw new TesseraException(ErrorKind.NotAcceptable,
                    $"Instances are returned as stored (here in {TransferSyntax.Lookup(syntax).Name}, {syntax}); ask for multipart/related; type=\"application/dicom\" with transfer-syntax=* or that syntax. Accepted: {accept}");
            }
        }
        var multipart = new MultipartRelatedWriter(context.Response.Body);
        context.Response.ContentType = multipart.ContentType(DicomMediaTypes.Dicom);
        var ct = context.RequestAborted;
        foreach (var instance in instances)
        {
            await using var content = await blobs.OpenReadAsync(instance.FileKey, ct);
            await multipart.StartPartAsync($"{DicomMediaTypes.Dicom}; transfer-syntax={instance.TransferSyntaxUid}", instance.Size, ct);
            await content.CopyToAsync(context.Response.Body, 1 << 20, ct);
        }
        await multipart.EndAsync(ct);
    }

    public static async Task Metadata(HttpContext context, DicomQueryService queries, IBlobStore blobs)
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
            var file = ReadStored(content, blobs, instance.FileKey);
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

    public static async Task Frames(HttpContext context, DicomQueryService queries, IBlobStore blobs, string frames)
    {
        var numbers = FrameNumbers(frames);
        var instance = (await FindAsync(context, queries))[0];
        var ct = context.RequestAborted;
        await using var content = await blobs.OpenReadAsync(instance.FileKey, ct);
        var file = ReadStored(content, blobs, instance.FileKey);
        var located = Locate(file);
        if (located.Count == 0)
            throw TesseraException.NotFound($"Pixel data of instance {instance.SopInstanceUid}");
        if (numbers.Max() is var highest && highest > located.Count)
            throw TesseraException.NotFound($"Frame {highest} of instance {instance.SopInstanceUid} (it has {located.Count})");
        await WriteFramesAsync(context, content, file.Syntax, numbers.Select(n => located[n - 1]).ToList());
    }

    public static async Task Bulk(HttpContext context, DicomQueryService queries, IBlobStore blobs, string tag)
    {
        var instance = (await FindAsync(context, queries))[0];
        var ct = context.RequestAborted;
        await using var content = await blobs.OpenReadAsync(instance.FileKey, ct);
        var file = ReadStored(content, blobs, instance.FileKey);
        var element = Resolve(file.Dataset, tag) ?? throw TesseraException.NotFound($"Bulk data {tag} of instance {instance.SopInstanceUid}");
        switch (element)
        {
            case DicomFragments when element.Tag == DicomTags.PixelData:
                await WriteFramesAsync(context, content, file.Syntax, Locate(file));
                break;
            case DicomValueElement value:
                var accept = AcceptHeader.Parse(context.Request);
                if (!accept.AllowsMultipart(DicomMediaTypes.OctetStream, null))
                    throw new TesseraException(ErrorKind.NotAcceptable, $"Bulk data is given as multipart/related; type=\"application/octet-stream\". Accepted: {accept}");
                var multipart = new MultipartRelatedWriter(context.Response.Body);
                context.Response.ContentType = multipart.ContentType(DicomMediaTypes.OctetStream);
                await multipart.StartPartAsync(DicomMediaTypes.OctetStream, value.Length, ct);
                await BlobBulkDataSource.CopyAsync(content, new FrameSegment(value.IsLoaded ? value.Bytes : default, value.Bulk), context.Response.Body, ct);
                await multipart.EndAsync(ct);
                break;
            default:
                throw TesseraException.NotFound($"Bulk data {tag} of instance {instance.SopInstanceUid}");
        }
    }

    /// <summary>The instances the route names in the projects the caller may read; 404 when there are none. Private reads are audited.</summary>
    private static async Task<IReadOnlyList<StoredInstance>> FindAsync(HttpContext context, DicomQueryService queries)
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

    private static DicomFile ReadStored(Stream content, IBlobStore blobs, string key)
    {
        try
        {
            return DicomReader.Read(content, new DicomReadOptions { BulkDataThreshold = InlineBinaryThreshold }, new BlobBulkDataSource(blobs, key));
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

    private static async Task WriteFramesAsync(HttpContext context, Stream content, TransferSyntax syntax, IReadOnlyList<IReadOnlyList<FrameSegment>> frames)
    {
        var partType = DicomMediaTypes.OfFrames(syntax);
        var syntaxUid = DicomMediaTypes.FrameSyntaxUid(syntax);
        var accept = AcceptHeader.Parse(context.Request);
        if (!accept.AllowsMultipart(partType, syntaxUid))
        {
            throw new TesseraException(ErrorKind.NotAcceptable,
                $"Frames are returned as stored: {partType} ({syntax.Name}); they are not transcoded. Ask for multipart/related; type=\"{partType}\" or transfer-syntax=*. Accepted: {accept}");
        }
        var ct = context.RequestAborted;
        var multipart = new MultipartRelatedWriter(context.Response.Body);
        context.Response.ContentType = multipart.ContentType(partType);
        foreach (var frame in frames)
        {
            await multipart.StartPartAsync($"{partType}; transfer-syntax={syntaxUid}", frame.Sum(s => s.Length), ct);
            foreach (var segment in frame)
                await BlobBulkDataSource.CopyAsync(content, segment, context.Response.Body, ct);
        }
        await multipart.EndAsync(ct);
    }

    private static List<int> FrameNumbers(string text)
    {
        var numbers = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
                throw TesseraException.Invalid($"Frame numbers are whole numbers from 1, separated by commas; '{part}' is not one.");
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
