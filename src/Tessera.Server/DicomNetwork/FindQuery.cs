using Tessera.Archive;
using Tessera.Archive.Dicom.Query;
using Tessera.Dicom;
using Tessera.Dicom.Network;

namespace Tessera.Server.DicomNetwork;

/// <summary>
/// A C-FIND identifier (PS3.4 C.4.1) as a query of the DICOM index, and each answer shaped back into
/// what the identifier asked for: its keys, each with the value found or empty, and no others.
/// </summary>
internal sealed record FindQuery(string Level, DicomQuery Query, DicomDataset Identifier)
{
    /// <summary>Attributes of the identifier that are not keys of the index.</summary>
    private static readonly HashSet<DicomTag> Control = [DicomTags.QueryRetrieveLevel, DicomTags.SpecificCharacterSet, DicomTags.RetrieveAeTitle];

    private static readonly HashSet<DicomTag> PatientCounts =
        [DicomTags.NumberOfPatientRelatedStudies, DicomTags.NumberOfPatientRelatedSeries, DicomTags.NumberOfPatientRelatedInstances];

    public bool IsPatientLevel => Level == "PATIENT";

    /// <summary>Reads the level and keys; an identifier the model cannot take is <see cref="ErrorKind.Invalid"/>.</summary>
    public static FindQuery From(FindRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return From(request.SopClassUid, request.Identifier);
    }

    /// <summary>The identifier of a C-FIND, C-MOVE or C-GET of the model <paramref name="sopClassUid"/>.</summary>
    public static FindQuery From(string sopClassUid, DicomDataset identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        var level = (identifier.GetString(DicomTags.QueryRetrieveLevel) ?? "").Trim().ToUpperInvariant();
        var patientRoot = DimseSopClasses.IsPatientRoot(sopClassUid);
        var queryLevel = level switch
        {
            "PATIENT" when patientRoot => DicomQueryLevel.Study,
            "STUDY" => DicomQueryLevel.Study,
            "SERIES" => DicomQueryLevel.Series,
            "IMAGE" => DicomQueryLevel.Instance,
            _ => throw TesseraException.Invalid(level.Length == 0
                ? "The identifier has no Query/Retrieve Level (0008,0052)"
                : $"Query/Retrieve Level {level} is not one of the {(patientRoot ? "Patient" : "Study")} Root model"),
        };
        var keys = new List<(DicomTag, string)>();
        var include = new HashSet<DicomTag>();
        foreach (var element in identifier)
        {
            if (Control.Contains(element.Tag) || element.Tag.IsGroupLength || PatientCounts.Contains(element.Tag))
                continue;
            include.Add(element.Tag);
            if (element is not DicomValueElement value)
                continue; // sequence matching is not offered: a sequence is a return key
            var text = identifier.GetString(element.Tag)?.Trim() ?? "";
            if (text.Length == 0 || text == "*")
                continue;
            // A list of UIDs (or of modalities) is backslash-separated in DIMSE, comma-separated in the index's query.
            if (DicomDataset.ValueVr(value) == DicomVr.UI || element.Tag == DicomTags.ModalitiesInStudy)
                text = text.Replace('\\', ',');
            keys.Add((element.Tag, text));
        }
        var query = new DicomQuery(queryLevel) { Keys = keys, IncludeFields = include, Limit = DicomQueryService.MaxLimit };
        return new FindQuery(level, query, identifier);
    }

    /// <summary>An answer with exactly the identifier's keys (values found, else empty), its level and where to retrieve it.</summary>
    public DicomDataset Shape(DicomDataset found, string retrieveAeTitle)
    {
        ArgumentNullException.ThrowIfNull(found);
        var answer = new DicomDataset();
        answer.SetString(DicomTags.SpecificCharacterSet, DicomVr.CS, "ISO_IR 192");
        answer.SetString(DicomTags.QueryRetrieveLevel, DicomVr.CS, Level);
        answer.SetString(DicomTags.RetrieveAeTitle, DicomVr.AE, retrieveAeTitle);
        foreach (var element in Identifier)
        {
            if (Control.Contains(element.Tag) || element.Tag.IsGroupLength)
                continue;
            if (found[element.Tag] is { } value)
                answer.Set(value);
            else if (element is DicomSequence)
                answer.Set(new DicomSequence(element.Tag));
            else
                answer.Set(new DicomValueElement(element.Tag, element.Vr, ReadOnlyMemory<byte>.Empty));
        }
        return answer;
    }

    /// <summary>
    /// The patients of study answers (the index keeps patients with their studies): one per Patient ID,
    /// with the counts of its studies, series and instances.
    /// </summary>
    public static IEnumerable<DicomDataset> Patients(IEnumerable<DicomDataset> studies)
    {
        ArgumentNullException.ThrowIfNull(studies);
        foreach (var group in studies.GroupBy(s => s.GetString(DicomTags.PatientId) ?? "", StringComparer.Ordinal))
        {
            var patient = new DicomDataset();
            var first = group.First();
            foreach (var tag in new[] { DicomTags.PatientName, DicomTags.PatientId, DicomTags.PatientBirthDate, DicomTags.PatientSex })
            {
                if (first[tag] is { } element)
                    patient.Set(element);
            }
            patient.SetString(DicomTags.NumberOfPatientRelatedStudies, DicomVr.IS, Text(group.Count()));
            patient.SetString(DicomTags.NumberOfPatientRelatedSeries, DicomVr.IS, Text(group.Sum(s => Count(s, DicomTags.NumberOfStudyRelatedSeries))));
            patient.SetString(DicomTags.NumberOfPatientRelatedInstances, DicomVr.IS, Text(group.Sum(s => Count(s, DicomTags.NumberOfStudyRelatedInstances))));
            yield return patient;
        }
    }

    private static int Count(DicomDataset dataset, DicomTag tag) =>
        int.TryParse(dataset.GetString(tag)?.Trim(), System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0;

    private static string Text(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
