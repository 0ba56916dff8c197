using System.Linq.Expressions;
using Tessera.Archive.Data;
using Tessera.Dicom;

namespace Tessera.Archive.Dicom.Query;

/// <summary>A study, series or instance of the index with its project: what a query filters and answers from.</summary>
internal sealed class QueryRow
{
    public required string Project { get; init; }
    public required DicomStudy Study { get; init; }
    public DicomSeries? Series { get; init; }
    public DicomInstance? Instance { get; init; }
    /// <summary>The blob key of the instance's file (instance level only).</summary>
    public string? FileKey { get; init; }
}

/// <summary>An attribute the index holds: its level, VR, and where its value is.</summary>
internal sealed record QueryAttribute(DicomTag Tag, DicomQueryLevel Level, DicomVr Vr, Expression<Func<QueryRow, string?>>? Text,
    Expression<Func<QueryRow, int?>>? Number = null)
{
    private readonly Func<QueryRow, string?>? _text = Text?.Compile();
    private readonly Func<QueryRow, int?>? _number = Number?.Compile();

    public bool IsPersonName => Vr == DicomVr.PN;
    public bool IsRangeable => Vr is DicomVr.DA or DicomVr.TM or DicomVr.DT;

    public string? ValueOf(QueryRow row) =>
        _text is not null ? _text(row) : _number!(row) is { } n ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
}

/// <summary>The attributes of the DICOM index, and what each level returns by default (PS3.18 10.6.3.3).</summary>
internal static class QueryAttributes
{
    public static readonly IReadOnlyList<QueryAttribute> All =
    [
        Study(DicomTags.PatientName, DicomVr.PN, r => r.Study.PatientName),
        Study(DicomTags.PatientId, DicomVr.LO, r => r.Study.PatientId),
        Study(DicomTags.PatientBirthDate, DicomVr.DA, r => r.Study.PatientBirthDate),
        Study(DicomTags.PatientSex, DicomVr.CS, r => r.Study.PatientSex),
        Study(DicomTags.StudyInstanceUid, DicomVr.UI, r => r.Study.StudyInstanceUid),
        Study(DicomTags.StudyDate, DicomVr.DA, r => r.Study.StudyDate),
        Study(DicomTags.StudyTime, DicomVr.TM, r => r.Study.StudyTime),
        Study(DicomTags.AccessionNumber, DicomVr.SH, r => r.Study.AccessionNumber),
        Study(DicomTags.StudyId, DicomVr.SH, r => r.Study.StudyId),
        Study(DicomTags.StudyDescription, DicomVr.LO, r => r.Study.StudyDescription),
        Study(DicomTags.ReferringPhysicianName, DicomVr.PN, r => r.Study.ReferringPhysicianName),
        Series(DicomTags.SeriesInstanceUid, DicomVr.UI, r => r.Series!.SeriesInstanceUid),
        Series(DicomTags.Modality, DicomVr.CS, r => r.Series!.Modality),
        new(DicomTags.SeriesNumber, DicomQueryLevel.Series, DicomVr.IS, null, r => r.Series!.SeriesNumber),
        Series(DicomTags.SeriesDescription, DicomVr.LO, r => r.Series!.SeriesDescription),
        Series(DicomTags.SeriesDate, DicomVr.DA, r => r.Series!.SeriesDate),
        Series(DicomTags.SeriesTime, DicomVr.TM, r => r.Series!.SeriesTime),
        Series(DicomTags.BodyPartExamined, DicomVr.CS, r => r.Series!.BodyPartExamined),
        Instance(DicomTags.SopInstanceUid, DicomVr.UI, r => r.Instance!.SopInstanceUid),
        Instance(DicomTags.SopClassUid, DicomVr.UI, r => r.Instance!.SopClassUid),
        Instance(DicomTags.AvailableTransferSyntaxUid, DicomVr.UI, r => r.Instance!.TransferSyntaxUid),
        new(DicomTags.InstanceNumber, DicomQueryLevel.Instance, DicomVr.IS, null, r => r.Instance!.InstanceNumber),
        new(DicomTags.NumberOfFrames, DicomQueryLevel.Instance, DicomVr.IS, null, r => r.Instance!.NumberOfFrames),
        new(DicomTags.Rows, DicomQueryLevel.Instance, DicomVr.US, null, r => r.Instance!.Rows),
        new(DicomTags.Columns, DicomQueryLevel.Instance, DicomVr.US, null, r => r.Instance!.Columns),
    ];

    private static readonly Dictionary<DicomTag, QueryAttribute> s_byTag = All.ToDictionary(a => a.Tag);

    /// <summary>Returned at every level whether asked or not (as well as the computed counts).</summary>
    public static readonly IReadOnlySet<DicomTag> Defaults = new HashSet<DicomTag>
    {
        DicomTags.StudyDate, DicomTags.StudyTime, DicomTags.AccessionNumber, DicomTags.ReferringPhysicianName,
        DicomTags.PatientName, DicomTags.PatientId, DicomTags.PatientBirthDate, DicomTags.PatientSex,
        DicomTags.StudyInstanceUid, DicomTags.StudyId, DicomTags.StudyDescription,
        DicomTags.Modality, DicomTags.SeriesDescription, DicomTags.SeriesInstanceUid, DicomTags.SeriesNumber,
        DicomTags.SopClassUid, DicomTags.SopInstanceUid, DicomTags.InstanceNumber, DicomTags.Rows, DicomTags.Columns,
        DicomTags.NumberOfFrames, DicomTags.AvailableTransferSyntaxUid,
    };

    public static QueryAttribute? Find(DicomTag tag) => s_byTag.GetValueOrDefault(tag);

    private static QueryAttribute Study(DicomTag tag, DicomVr vr, Expression<Func<QueryRow, string?>> text) => new(tag, DicomQueryLevel.Study, vr, text);
    private static QueryAttribute Series(DicomTag tag, DicomVr vr, Expression<Func<QueryRow, string?>> text) => new(tag, DicomQueryLevel.Series, vr, text);
    private static QueryAttribute Instance(DicomTag tag, DicomVr vr, Expression<Func<QueryRow, string?>> text) => new(tag, DicomQueryLevel.Instance, vr, text);
}
