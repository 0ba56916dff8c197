using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Tessera.Archive;
using Tessera.Archive.Data;
using Tessera.Archive.Dicom;
using Tessera.Archive.Storage;
using Tessera.Archive.Uploads;
using Tessera.Dicom;
using Tessera.Dicom.Json;
using Tessera.Server.Api;

namespace Tessera.Server.DicomWeb;

/// <summary>
/// STOW-RS (PS3.18 10.5): multipart/related application/dicom, each part stored through the DICOM
/// import, answered per instance with the standard's failure reasons. 200 when all were stored, 202
/// when some failed, 409 when none was stored.
/// </summary>
internal static class StowEndpoint
{
    /// <summary>Failure reasons of PS3.4 Annex B (Storage) as STOW-RS uses them.</summary>
    internal const ushort ProcessingFailure = 0x0110;
    internal const ushort DuplicateInstance = 0x0111;
    internal const ushort DoesNotMatchSopClass = 0xA900;
    internal const ushort CannotUnderstand = 0xC000;

    public static async Task Store(HttpContext context, DicomImportService import, ArchiveDbContext db,
        IOptions<UploadOptions> uploads, IOptions<StorageOptions> storage, IOptions<ServerOptions> options)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = options.Value.MaxUploadBytes;
        var boundary = Boundary(context.Request);
        var study = context.GetRouteValue("study") as string;
        var access = await DicomWebContext.StoreTargetAsync(context, db);
        var directory = uploads.Value.ResolveImportDirectory(storage.Value);
        Directory.CreateDirectory(directory);
        var results = new List<ImportedFile?>();
        // Parts are stored in batches as they arrive (one lease and one record transaction per batch).
        var pending = new List<(int Slot, ImportItem Item)>(DicomImportService.BatchSize);
        var reader = new MultipartReader(boundary, context.Request.Body) { BodyLengthLimit = null };
        var ct = context.RequestAborted;
        var index = 0;
        try
        {
            while (true)
            {
                var name = $"part {index + 1}";
                var path = Path.Combine(directory, "stow-" + Guid.NewGuid().ToString("N"));
                try
                {
                    var next = await ReadBodyAsync(() => reader.ReadNextSectionAsync(ct));
                    if (next is not { } section)
                        break;
                    index++;
                    if (section.ContentType is { } partType && !IsDicom(partType))
                    {
                        await ReadBodyAsync(async () => { await section.Body.CopyToAsync(Stream.Null, ct); return true; });
                        results.Add(new ImportedFile(name, ImportOutcome.Rejected, $"a part of type {partType} is not application/dicom") { Problem = ImportProblem.NotDicom });
                        continue;
                    }
                    var sha256 = await SpoolAsync(section.Body, path, ct);
                    pending.Add((results.Count, new ImportItem(name, path, sha256)));
                    results.Add(null);
                    if (pending.Count == DicomImportService.BatchSize)
                        await StorePendingAsync();
                }
                catch (InvalidDataException e) when (index > 0)
                {
                    File.Delete(path);
                    // A body that breaks off without its closing boundary: the parts received whole are stored, and the answer says where it ended.
                    await StorePendingAsync();
                    results.Add(new ImportedFile(name, ImportOutcome.Rejected, $"the multipart body ends early: {e.Message}") { Problem = ImportProblem.Unreadable });
                    break;
                }
                catch (InvalidDataException e)
                {
                    File.Delete(path);
                    throw TesseraException.Invalid($"The multipart body cannot be read: {e.Message}");
                }
                catch
                {
                    File.Delete(path);
                    throw;
                }
            }
            await StorePendingAsync();
        }
        finally
        {
            foreach (var (_, item) in pending)
                File.Delete(item.TempPath);
        }
        if (index == 0)
            throw TesseraException.Invalid("The request holds no parts: nothing to store.");
        await RespondAsync(context, results.Select(r => r!).ToList());

        async Task StorePendingAsync()
        {
            if (pending.Count == 0)
                return;
            var stored = await import.StoreInstancesAsync(access, pending.Select(p => p.Item).ToList(), study, ct);
            for (var i = 0; i < pending.Count; i++)
                results[pending[i].Slot] = stored[i];
            pending.Clear();
        }
    }

    /// <summary>Writes a part to a local file, hashing it on the way (the archive addresses content by SHA-256).</summary>
    private static Task<string> SpoolAsync(Stream body, string path, CancellationToken ct) =>
        SpoolStream.WriteAsync(buffer => ReadBodyAsync(() => body.ReadAsync(buffer, ct).AsTask()), path, ct);

    /// <summary>
    /// Reads from the request body; a malformed or broken-off multipart body becomes InvalidDataException,
    /// so that it is told apart from failures writing to local disk (which stay errors of the server).
    /// </summary>
    private static async Task<T> ReadBodyAsync<T>(Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (IOException e) when (e is not BadHttpRequestException)
        {
            throw new InvalidDataException(e.Message, e);
        }
    }

    private static string Boundary(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var media)
            || !media.MediaType.Equals("multipart/related", StringComparison.OrdinalIgnoreCase))
        {
            throw new TesseraException(ErrorKind.UnsupportedMediaType,
                $"STOW-RS takes multipart/related; type=\"application/dicom\", not {request.ContentType ?? "a body without Content-Type"}.");
        }
        var type = media.Parameters.FirstOrDefault(p => p.Name.Equals("type", StringComparison.OrdinalIgnoreCase))?.Value;
        if (type is { } t && !IsDicom(HeaderUtilities.RemoveQuotes(t).Value ?? ""))
        {
            throw new TesseraException(ErrorKind.UnsupportedMediaType,
                $"Only application/dicom parts are stored; the metadata and bulk data form ({t}) is not supported.");
        }
        var boundary = HeaderUtilities.RemoveQuotes(media.Boundary).Value;
        return string.IsNullOrEmpty(boundary) ? throw TesseraException.Invalid("The multipart body names no boundary.") : boundary;
    }

    private static bool IsDicom(string contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media) && media.MediaType.Equals(DicomMediaTypes.Dicom, StringComparison.OrdinalIgnoreCase);

    private static async Task RespondAsync(HttpContext context, List<ImportedFile> results)
    {
        var baseUrl = DicomWebContext.BaseUrl(context);
        var stored = results.Where(r => r.Outcome is ImportOutcome.Stored or ImportOutcome.Duplicate or ImportOutcome.NewVersion).ToList();
        var failed = results.Except(stored).ToList();
        var answer = new DicomDataset();
        answer.SetString(DicomTags.SpecificCharacterSet, DicomVr.CS, "ISO_IR 192");
        var studies = stored.Select(r => r.StudyInstanceUid).Distinct().ToList();
        if (studies is [{ } onlyStudy])
            answer.SetString(DicomTags.RetrieveUrl, DicomVr.UR, DicomWebContext.StudyUrl(baseUrl, onlyStudy));
        if (failed.Count > 0)
            answer.Set(new DicomSequence(DicomTags.FailedSopSequence, failed.Select(FailedItem)));
        if (stored.Count > 0)
            answer.Set(new DicomSequence(DicomTags.ReferencedSopSequence, stored.Select(r => StoredItem(r, baseUrl))));
        context.Response.StatusCode = failed.Count == 0 ? StatusCodes.Status200OK : stored.Count > 0 ? StatusCodes.Status202Accepted : StatusCodes.Status409Conflict;
        context.Response.ContentType = DicomMediaTypes.DicomJson;
        // One dataset, as an object (as Orthanc, dcm4chee and cloud archives answer, and Orthanc's client expects).
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        DicomJsonWriter.Write(writer, answer);
        await writer.FlushAsync(context.RequestAborted);
    }

    private static DicomDataset StoredItem(ImportedFile result, string baseUrl)
    {
        var item = Referenced(result);
        item.SetString(DicomTags.RetrieveUrl, DicomVr.UR,
            DicomWebContext.InstanceUrl(baseUrl, result.StudyInstanceUid!, result.SeriesInstanceUid!, result.SopInstanceUid!));
        return item;
    }

    private static DicomDataset FailedItem(ImportedFile result)
    {
        var item = Referenced(result);
        item.SetUInt16(DicomTags.FailureReason, result.Problem switch
        {
            ImportProblem.NotDicom or ImportProblem.Unreadable => CannotUnderstand,
            ImportProblem.MissingAttribute or ImportProblem.WrongStudy => DoesNotMatchSopClass,
            ImportProblem.DifferentContent => DuplicateInstance,
            _ => ProcessingFailure,
        });
        // Not a standard attribute of the item, but what a person reading the answer needs.
        if (result.Reason is { } reason)
            item.SetString(DicomTags.ErrorComment, DicomVr.LO, reason.Length > 64 ? reason[..64] : reason);
        return item;
    }

    private static DicomDataset Referenced(ImportedFile result)
    {
        var item = new DicomDataset();
        item.SetString(DicomTags.ReferencedSopClassUid, DicomVr.UI, result.SopClassUid ?? "");
        item.SetString(DicomTags.ReferencedSopInstanceUid, DicomVr.UI, result.SopInstanceUid ?? "");
        return item;
    }
}
