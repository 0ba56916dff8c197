using System.Buffers.Binary;
using System.IO.Compression;
using Tessera.Archive;
using Tessera.Archive.Uploads;

namespace Tessera.Server.Import;

/// <summary>
/// What a zip of an import may expand to (docs/security.md, "zip bombs"): a bounded number of entries,
/// a bounded total, and a bounded compression ratio, each checked from the zip's directories before
/// anything is written; while expanding, an entry may not give more than its header declared.
/// </summary>
public sealed record ZipLimits(long MaxExpandedBytes, int MaxCompressionRatio, int MaxEntries)
{
    /// <summary>Entries below this size may compress as well as they like (a blank report, a DICOMDIR).</summary>
    private const long RatioExemptBytes = 1 << 20;

    private const uint EndOfCentralDirectory = 0x06054b50;
    private const uint Zip64Locator = 0x07064b50;
    private const uint Zip64EndOfCentralDirectory = 0x06064b50;

    public static ZipLimits From(UploadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ZipLimits(options.MaxImportExpandedBytes, options.MaxCompressionRatio, options.MaxImportEntries);
    }

    /// <summary>
    /// The entry count the zip's end records declare, read before the central directory is (it is
    /// read whole into memory); null when the records cannot be found (the zip reader then refuses the file).
    /// </summary>
    public static long? DeclaredEntries(Stream zip)
    {
        ArgumentNullException.ThrowIfNull(zip);
        // The end record is 22 bytes plus a comment of at most 65,535.
        var tail = (int)Math.Min(zip.Length, 22 + 65535);
        var buffer = new byte[tail];
        zip.Seek(-tail, SeekOrigin.End);
        zip.ReadExactly(buffer);
        for (var i = tail - 22; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(i)) != EndOfCentralDirectory)
                continue;
            long entries = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(i + 10));
            // A zip64 archive says 0xFFFF here; the count is in its own end record, found through the locator just before.
            if (entries == 0xFFFF && i >= 20 && BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(i - 20)) == Zip64Locator)
            {
                var record = (long)BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(i - 20 + 8));
                if (record < 0 || record + 56 > zip.Length)
                    return null;
                var zip64 = new byte[56];
                zip.Seek(record, SeekOrigin.Begin);
                zip.ReadExactly(zip64);
                if (BinaryPrimitives.ReadUInt32LittleEndian(zip64) != Zip64EndOfCentralDirectory)
                    return null;
                var count = BinaryPrimitives.ReadUInt64LittleEndian(zip64.AsSpan(32));
                entries = count > long.MaxValue ? long.MaxValue : (long)count;
            }
            return entries;
        }
        return null;
    }

    public void CheckEntryCount(string zipName, long? declared)
    {
        if (declared > MaxEntries)
            throw TesseraException.TooLarge($"The zip {zipName} holds {declared:N0} entries; an import takes at most {MaxEntries:N0} (Uploads:MaxImportEntries).");
    }

    /// <summary>Checks the whole zip as its central directory declares it; <paramref name="expandedSoFar"/> counts earlier zips of the same import.</summary>
    public void Check(string zipName, long zipBytes, IReadOnlyList<ZipArchiveEntry> entries, long expandedSoFar)
    {
        ArgumentNullException.ThrowIfNull(entries);
        long total = 0;
        foreach (var entry in entries)
        {
            total += entry.Length;
            if (entry.Length > RatioExemptBytes && entry.Length > (long)MaxCompressionRatio * Math.Max(1, entry.CompressedLength))
                throw TesseraException.TooLarge(
                    $"The zip entry {entry.FullName} expands {entry.Length / Math.Max(1, entry.CompressedLength):N0} times ({entry.CompressedLength:N0} to {entry.Length:N0} bytes); an import takes at most {MaxCompressionRatio} times (Uploads:MaxCompressionRatio).");
        }
        if (total + expandedSoFar > MaxExpandedBytes)
            throw TesseraException.TooLarge(
                $"The zip {zipName} expands to {total:N0} bytes{(expandedSoFar > 0 ? $" after {expandedSoFar:N0} already expanded" : "")}; an import takes at most {MaxExpandedBytes:N0} (Uploads:MaxImportExpandedBytes).");
        if (total > RatioExemptBytes && total > (long)MaxCompressionRatio * Math.Max(1, zipBytes))
            throw TesseraException.TooLarge(
                $"The zip {zipName} expands {total / Math.Max(1, zipBytes):N0} times ({zipBytes:N0} to {total:N0} bytes); an import takes at most {MaxCompressionRatio} times (Uploads:MaxCompressionRatio).");
    }
}
