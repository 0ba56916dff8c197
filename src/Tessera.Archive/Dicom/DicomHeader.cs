using System.Globalization;
using Tessera.Dicom;
using Tessera.Dicom.IO;

namespace Tessera.Archive.Dicom;

/// <summary>The attributes of a DICOM object that sorting and the index use, decoded once.</summary>
public sealed record DicomHeader
{
    public required DicomDataset Dataset { get; init; }
    public string? SopInstanceUid { get; init; }
    public string? SopClassUid { get; init; }
    public string? StudyInstanceUid { get; init; }
    public string? SeriesInstanceUid { get; init; }
    public required string TransferSyntaxUid { get; init; }
    public string? PatientId { get; init; }

    public static DicomHeader From(DicomFile file)
    {
        var d = file.Dataset;
        return new DicomHeader
        {
            Dataset = d,
            SopInstanceUid = Uid(file.SopInstanceUid),
            SopClassUid = Uid(file.SopClassUid),
            StudyInstanceUid = Uid(d.GetString(DicomTags.StudyInstanceUid)),
            SeriesInstanceUid = Uid(d.GetString(DicomTags.SeriesInstanceUid)),
            TransferSyntaxUid = file.Syntax.Uid,
            PatientId = Text(d.GetString(DicomTags.PatientId)),
        };
    }

    /// <summary>The first identifying attribute that is missing, or null.</summary>
    public string? Missing() =>
        SopInstanceUid is null ? "SOP Instance UID (0008,0018)"
        : SopClassUid is null ? "SOP Class UID (0008,0016)"
        : StudyInstanceUid is null ? "Study Instance UID (0020,000D)"
        : SeriesInstanceUid is null ? "Series Instance UID (0020,000E)"
        : null;

    public string? Get(DicomTag tag, int maxLength = 324)
    {
        var value = Text(Dataset.GetString(tag));
        return value is { Length: var n } && n > maxLength ? value[..maxLength] : value;
    }

    public int? GetInt(DicomTag tag)
    {
        var value = Dataset.GetInteger(tag);
        return value is >= int.MinValue and <= int.MaxValue ? (int)value : null;
    }

    /// <summary>
    /// A DA value as a date, when it is one: YYYYMMDD, or the YYYY.MM.DD of ACR-NEMA 2.0 that PS3.5 (Table 6.2-1)
    /// asks readers to take too.
    /// </summary>
    public DateOnly? GetDate(DicomTag tag) =>
        DateOnly.TryParseExact(Get(tag) ?? "", ["yyyyMMdd", "yyyy.MM.dd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;

    private static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>UIDs are at most 64 characters of digits and dots (PS3.5 9.1); anything else cannot identify.</summary>
    private static string? Uid(string? value)
    {
        var uid = Text(value);
        return uid is { Length: <= 64 } && uid.All(c => char.IsAsciiDigit(c) || c == '.') ? uid : null;
    }
}
