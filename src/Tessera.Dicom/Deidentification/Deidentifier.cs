namespace Tessera.Dicom.Deidentification;

/// <summary>
/// Applies the Basic Application Level Confidentiality Profile (PS3.15 E.2, Table E.1-1) with the
/// chosen options to a dataset, in place and through every sequence: private attributes removed,
/// listed attributes removed, emptied, replaced by dummies, cleaned or kept, UIDs remapped. The
/// patient's name and ID become the replacements given (the archive uses the subject's label), and
/// the dataset records what was done (Patient Identity Removed, De-identification Method and codes).
/// Burned-in text in pixel data is not touched.
/// </summary>
public sealed class Deidentifier(DeidentificationOptions options, UidMapper uids, string patientName, string patientId)
{
    private const int MaxDepth = 64;
    private const string Dummy = "ANONYMIZED";

    public void Apply(DicomDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var identifiers = Identifiers(dataset);
        Process(dataset, identifiers, 0);
        dataset.SetString(DicomTags.PatientName, DicomVr.PN, patientName);
        dataset.SetString(DicomTags.PatientId, DicomVr.LO, patientId);
        dataset.SetString(DicomTags.PatientIdentityRemoved, DicomVr.CS, "YES");
        dataset.SetString(DicomTags.DeidentificationMethod, DicomVr.LO, Method());
        dataset.Set(new DicomSequence(DicomTags.DeidentificationMethodCodeSequence, Codes().Select(Code)));
        dataset.SetString(DicomTags.LongitudinalTemporalInformationModified, DicomVr.CS,
            options.RetainLongitudinalTemporal ? "UNMODIFIED" : "REMOVED");
    }

    /// <summary>The values a cleaned descriptor must not repeat: the patient's names and IDs, the accession number.</summary>
    private static List<string> Identifiers(DicomDataset dataset)
    {
        var values = new List<string>();
        foreach (var tag in new[] { DicomTags.PatientName, DicomTags.OtherPatientNames, DicomTags.PatientId, DicomTags.AccessionNumber, DicomTags.PatientBirthName })
        {
            foreach (var value in dataset.GetStrings(tag))
                values.AddRange(value.Split(['^', '=', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(v => v.Length >= 2));
        }
        return values.Distinct(StringComparer.OrdinalIgnoreCase).OrderByDescending(v => v.Length).ToList();
    }

    private void Process(DicomDataset dataset, List<string> identifiers, int depth)
    {
        if (depth > MaxDepth)
            throw new DicomException($"sequences nest deeper than {MaxDepth} levels");
        foreach (var element in dataset.ToList())
        {
            if (element.Tag.IsPrivate)
            {
                dataset.Remove(element.Tag);
                continue;
            }
            var action = ConfidentialityProfile.ActionFor(element.Tag, options) ?? DeidentificationAction.Keep;
            if (element is DicomSequence sequence)
            {
                switch (action)
                {
                    case DeidentificationAction.Remove:
                        dataset.Remove(element.Tag);
                        break;
                    case DeidentificationAction.Empty:
                        dataset.Set(new DicomSequence(element.Tag));
                        break;
                    default:
                        foreach (var item in sequence.Items)
                            Process(item, identifiers, depth + 1);
                        break;
                }
                continue;
            }
            if (element is not DicomValueElement value)
            {
                if (action == DeidentificationAction.Remove)
                    dataset.Remove(element.Tag);
                continue;
            }
            var vr = DicomDataset.ValueVr(value);
            switch (action)
            {
                case DeidentificationAction.Remove:
                    dataset.Remove(element.Tag);
                    break;
                case DeidentificationAction.Empty:
                    dataset.Set(new DicomValueElement(element.Tag, vr, ReadOnlyMemory<byte>.Empty));
                    break;
                case DeidentificationAction.Dummy:
                    SetDummy(dataset, element.Tag, vr);
                    break;
                case DeidentificationAction.Clean:
                    if (DicomVrInfo.IsString(vr))
                        dataset.SetString(element.Tag, vr, Clean(dataset.GetString(element.Tag) ?? "", identifiers));
                    break;
                case DeidentificationAction.Uid when vr == DicomVr.UI:
                    var mapped = dataset.GetStrings(element.Tag).Select(uids.Map);
                    dataset.SetString(element.Tag, DicomVr.UI, string.Join('\\', mapped));
                    break;
                case DeidentificationAction.Uid:
                    SetDummy(dataset, element.Tag, vr);
                    break;
            }
        }
    }

    private static void SetDummy(DicomDataset dataset, DicomTag tag, DicomVr vr)
    {
        var text = vr switch
        {
            DicomVr.DA => "19000101",
            DicomVr.TM => "000000",
            DicomVr.DT => "19000101000000",
            DicomVr.AS => "000D",
            DicomVr.IS or DicomVr.DS => "0",
            DicomVr.UI => "2.25.0",
            _ when DicomVrInfo.IsString(vr) => Dummy,
            _ => null,
        };
        if (text is not null)
        {
            dataset.SetString(tag, vr, text);
            return;
        }
        var size = DicomVrInfo.WordSize(vr);
        dataset.Set(new DicomValueElement(tag, vr, vr is DicomVr.US or DicomVr.SS or DicomVr.UL or DicomVr.SL or DicomVr.FL or DicomVr.FD
            ? new byte[size] : ReadOnlyMemory<byte>.Empty));
    }

    private static string Clean(string text, List<string> identifiers)
    {
        foreach (var identifier in identifiers)
            text = text.Replace(identifier, "", StringComparison.OrdinalIgnoreCase);
        return text.Trim();
    }

    private string Method()
    {
        var method = "Tessera: " + options.Describe();
        return method.Length <= 64 ? method : method[..64];
    }

    /// <summary>The codes of PS3.16 CID 7050 (De-identification Methods) for the profile and its options.</summary>
    private IEnumerable<(string Value, string Meaning)> Codes()
    {
        yield return ("113100", "Basic Application Confidentiality Profile");
        if (options.RetainLongitudinalTemporal)
            yield return ("113106", "Retain Longitudinal Temporal Information Full Dates Option");
        if (options.RetainPatientCharacteristics)
            yield return ("113108", "Retain Patient Characteristics Option");
        if (options.CleanDescriptors)
            yield return ("113105", "Clean Descriptors Option");
    }

    private static DicomDataset Code((string Value, string Meaning) code)
    {
        var item = new DicomDataset();
        item.SetString(DicomTags.CodeValue, DicomVr.SH, code.Value);
        item.SetString(DicomTags.CodingSchemeDesignator, DicomVr.SH, "DCM");
        item.SetString(DicomTags.CodeMeaning, DicomVr.LO, code.Meaning);
        return item;
    }
}
