using System.IO.Compression;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Tessera.Archive;
using Tessera.Archive.Dicom;
using Tessera.Archive.Dicom.Media;
using Tessera.Dicom;
using Tessera.Dicom.Media;
using Tessera.Archive.Uploads;

namespace Tessera.Server.Import;

/// <summary>
/// Turns an import request body into files on local disk, one at a time: a single file, a zip
/// (its entries), or multipart (its parts, zips among them expanded). Disk use stays at one file
/// (plus the zip itself) whatever the import's size. Zips are held to <see cref="ZipLimits"/>.
/// </summary>
public sealed class ImportSpooler(string directory, ZipLimits limits)
{
    private long _expanded;

    /// <summary>What the DICOMDIRs of the zips read so far said (one summary each).</summary>
    public List<DiscSummary> Discs { get; } = [];

    /// <summary>Report lines of the DICOMDIRs themselves, of files they reference that the zips lack, and of file IDs refused.</summary>
    public List<ImportedFile> DiscLines { get; } = [];

    /// <summary>How large a DICOMDIR may be, and how many records it may hold (<see cref="DicomDirectoryLimits"/>).</summary>
    public DicomDirectoryLimits DirectoryLimits { get; init; } = DicomDirectoryLimits.Default;

    private static readonly byte[] ZipMagic = [0x50, 0x4B, 0x03, 0x04];

    public async IAsyncEnumerable<ImportItem> ReadAsync(HttpRequest request, string? name, [EnumeratorCancellation] CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        var contentType = request.ContentType ?? "";
        if (MediaTypeHeaderValue.TryParse(contentType, out var media) && media.MediaType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            var boundary = HeaderUtilities.RemoveQuotes(media.Boundary).Value;
            if (string.IsNullOrEmpty(boundary))
                throw TesseraException.Invalid("The multipart body names no boundary.");
            var reader = new MultipartReader(boundary, request.Body);
            var index = 0;
            while (await Read(() => reader.ReadNextSectionAsync(ct)) is { } section)
            {
                index++;
                var partName = PartName(section, index);
                await foreach (var item in SpoolAsync(section.Body, partName, ct))
                    yield return item;
            }
            yield break;
        }
        await foreach (var item in SpoolAsync(request.Body, name ?? "upload", ct))
            yield return item;
    }

    private async IAsyncEnumerable<ImportItem> SpoolAsync(Stream body, string name, [EnumeratorCancellation] CancellationToken ct)
    {
        var path = NewPath();
        await CopyToFileAsync(body, path, ct);
        if (!IsZip(path))
        {
            yield return new ImportItem(name, path);
            yield break;
        }
        try
        {
            await foreach (var entry in ExpandAsync(path, name, ct))
                yield return entry;
        }
        finally
        {
            File.Delete(path);
        }
    }

    private async IAsyncEnumerable<ImportItem> ExpandAsync(string zipPath, string zipName, [EnumeratorCancellation] CancellationToken ct)
    {
        ZipArchive? archive = null;
        IReadOnlyList<ZipArchiveEntry> entries;
        try
        {
            var file = File.OpenRead(zipPath);
            try
            {
                limits.CheckEntryCount(zipName, ZipLimits.DeclaredEntries(file));
                file.Position = 0;
            }
            catch
            {
                await file.DisposeAsync();
                throw;
            }
            archive = await ZipArchive.CreateAsync(file, ZipArchiveMode.Read, leaveOpen: false, entryNameEncoding: null, ct);
            entries = archive.Entries; // the central directory is read here, and checked
            limits.Check(zipName, new FileInfo(zipPath).Length, entries, _expanded);
        }
        catch (TesseraException)
        {
            if (archive is not null)
                await archive.DisposeAsync();
            throw;
        }
        catch (InvalidDataException e)
        {
            if (archive is not null)
                await archive.DisposeAsync();
            throw TesseraException.Invalid($"The zip file cannot be read: {e.Message}");
        }
        await using (archive)
        {
            var plan = await PlanDiscsAsync(entries, ct);
            foreach (var entry in entries)
            {
                if (IsFolder(entry) || plan.IsDirectory(Name(entry)))
                    continue;
                FreeSpace.Require(directory, entry.Length,
                    (free, needed) => $"The zip entry {entry.FullName} expands to {needed} MiB; the server has {free} MiB free for imports.");
                var path = NewPath();
                await using (var source = await Read(() => entry.OpenAsync(ct)))
                    await CopyToFileAsync(source, path, ct, entry);
                _expanded += entry.Length;
                yield return new ImportItem(Name(entry), path) { Disc = plan.For(Name(entry)) };
            }
        }
    }

    /// <summary>
    /// Reads the zip's DICOMDIRs (a disc's folder zipped) before any other entry, so that each file is
    /// known as referenced or not as it is expanded; the DICOMDIRs themselves are not imported.
    /// </summary>
    private async Task<DiscPlan> PlanDiscsAsync(IReadOnlyList<ZipArchiveEntry> entries, CancellationToken ct)
    {
        var files = entries.Where(e => !IsFolder(e)).ToList();
        if (!DiscPlan.HasDirectory(files.Select(Name)))
            return DiscPlan.None;
        var expanded = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var entry in files.Where(e => MediaFileId.IsDicomDirName(Name(e)) && e.Length <= DirectoryLimits.MaxBytes))
            {
                if (expanded.ContainsKey(Name(entry)))
                    continue;
                var path = NewPath();
                await using (var source = await Read(() => entry.OpenAsync(ct)))
                    await CopyToFileAsync(source, path, ct, entry);
                expanded[Name(entry)] = path;
            }
            var plan = DiscPlan.Create(files.Select(Name).ToList(), name => expanded.TryGetValue(name, out var path)
                ? DicomDirectory.ReadFile(path, DirectoryLimits)
                : throw new DicomException($"the DICOMDIR is larger than {DirectoryLimits.MaxBytes:N0} bytes"));
            Discs.AddRange(plan.Discs);
            DiscLines.AddRange(plan.Lines);
            return plan;
        }
        finally
        {
            foreach (var path in expanded.Values)
                File.Delete(path);
        }
    }

    private static string Name(ZipArchiveEntry entry) => entry.FullName.Replace('\\', '/');

    private static bool IsFolder(ZipArchiveEntry entry) => entry.FullName.EndsWith('/') || entry.Length == 0 && entry.Name.Length == 0;

    /// <summary>
    /// Copies to a new file; a copy that fails (a dropped connection, a corrupt zip entry) leaves nothing
    /// behind. A source that cannot be read is the request's fault (400); a failing write stays the server's.
    /// </summary>
    /// <param name="entry">The zip entry being copied, if any: what arrives must match its declared length and CRC-32.</param>
    private static async Task CopyToFileAsync(Stream source, string path, CancellationToken ct, ZipArchiveEntry? entry = null)
    {
        var buffer = new byte[1 << 16];
        try
        {
            await using var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            var crc = entry is null ? null : new System.IO.Hashing.Crc32(); // as zip files use it (ISO-HDLC)
            long copied = 0;
            int read;
            while ((read = await Read(() => source.ReadAsync(buffer, ct).AsTask())) > 0)
            {
                copied += read;
                // A header that understates its entry must not let it expand without end: stop at the first byte too many.
                if (entry is not null && copied > entry.Length)
                    throw TesseraException.Invalid($"The zip entry {entry.FullName} is damaged: it expands beyond the {entry.Length:N0} bytes its header declares.");
                crc?.Append(buffer.AsSpan(0, read));
                await target.WriteAsync(buffer.AsMemory(0, read), ct);
            }
            if (entry is not null && (copied != entry.Length || crc!.GetCurrentHashAsUInt32() != entry.Crc32))
            {
                throw TesseraException.Invalid(
                    $"The zip entry {entry.FullName} is damaged: its content does not match the length and CRC-32 its header declares.");
            }
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    private static async Task<T> Read<T>(Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (Exception e) when (e is InvalidDataException || e is IOException and not BadHttpRequestException)
        {
            throw TesseraException.Invalid($"The request body cannot be read: {e.Message}");
        }
    }

    private static string PartName(MultipartSection section, int index)
    {
        if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
        {
            var file = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
            if (!string.IsNullOrEmpty(file))
                return file.Replace('\\', '/');
        }
        return $"part-{index}";
    }

    private static bool IsZip(string path)
    {
        Span<byte> head = stackalloc byte[4];
        using var stream = File.OpenRead(path);
        return stream.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 && head.SequenceEqual(ZipMagic);
    }

    private string NewPath() => Path.Combine(directory, "import-" + Guid.NewGuid().ToString("N"));
}
