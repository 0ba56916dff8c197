using System.Globalization;
using Tessera.Dicom;
using Tessera.Dicom.Dictionary;

namespace Tessera.Server.Web;

/// <summary>One line of a DICOM header as the scan page shows it: nesting depth, tag, keyword, VR and value as text.</summary>
public sealed record DicomHeaderRow(int Depth, string Tag, string Keyword, string Vr, string Value);

/// <summary>Turns a dataset into rows for display, sequences expanded, long values cut.</summary>
public static class DicomHeaderRows
{
    private const int MaxValueLength = 160;
    private const int MaxRows = 2000;

    public static List<DicomHeaderRow> From(DicomDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var rows = new List<DicomHeaderRow>();
        Add(dataset, 0, rows);
        return rows;
    }

    private static void Add(DicomDataset dataset, int depth, List<DicomHeaderRow> rows)
    {
        foreach (var element in dataset)
        {
            if (rows.Count >= MaxRows)
                return;
            var keyword = DicomDictionary.KeywordOf(element.Tag) ?? (element.Tag.IsPrivate ? "(private)" : "(unknown)");
            switch (element)
            {
                case DicomSequence sequence:
                    rows.Add(new(depth, element.Tag.ToString(), keyword, "SQ", $"{sequence.Items.Count} item(s)"));
                    for (var i = 0; i < sequence.Items.Count; i++)
                    {
                        rows.Add(new(depth + 1, "", $"item {(i + 1).ToString(CultureInfo.InvariantCulture)}", "", ""));
                        Add(sequence.Items[i], depth + 2, rows);
                    }
                    break;
                case DicomValueElement value:
                    var vr = DicomDataset.ValueVr(value);
                    rows.Add(new(depth, element.Tag.ToString(), keyword, DicomVrInfo.ToText(vr), Text(dataset, value, vr)));
                    break;
                default:
                    rows.Add(new(depth, element.Tag.ToString(), keyword, DicomVrInfo.ToText(element.Vr), "(encapsulated fragments)"));
                    break;
            }
        }
    }

    private static string Text(DicomDataset dataset, DicomValueElement value, DicomVr vr)
    {
        if (!value.IsLoaded || (DicomVrInfo.IsBinary(vr) && vr != DicomVr.AT))
            return $"({value.Length.ToString(CultureInfo.InvariantCulture)} bytes)";
        string text;
        try
        {
            text = string.Join('\\', dataset.GetStrings(value.Tag));
        }
        catch (DicomException)
        {
            text = $"({value.Length.ToString(CultureInfo.InvariantCulture)} bytes, not readable as {DicomVrInfo.ToText(vr)})";
        }
        return text.Length <= MaxValueLength ? text : text[..MaxValueLength] + "…";
    }
}
