using System.Globalization;
using System.Text.Json;

namespace Tessera.Dicom.Json;

/// <summary>Writes datasets in the DICOM JSON model (PS3.18 F.2): tags as keys, "vr", and "Value", "InlineBinary" or "BulkDataURI".</summary>
public static class DicomJsonWriter
{
    public static string Serialize(DicomDataset dataset, DicomJsonOptions? options = null)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
            Write(writer, dataset, options);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static void Write(Utf8JsonWriter writer, DicomDataset dataset, DicomJsonOptions? options = null) =>
        WriteDataset(writer, dataset, options ?? DicomJsonOptions.Default, [], top: true);

    private static void WriteDataset(Utf8JsonWriter writer, DicomDataset dataset, DicomJsonOptions options, List<(DicomTag, int)> path, bool top)
    {
        writer.WriteStartObject();
        foreach (var element in dataset)
        {
            // Group lengths are retired and carry nothing the model needs (PS3.18 F.2.1 leaves them out).
            if (element.Tag.IsGroupLength || (top && options.Exclude?.Contains(element.Tag) == true))
                continue;
            writer.WritePropertyName(element.Tag.ToHex());
            WriteElement(writer, dataset, element, options, path);
        }
        writer.WriteEndObject();
    }

    private static void WriteElement(Utf8JsonWriter writer, DicomDataset dataset, DicomElement element, DicomJsonOptions options, List<(DicomTag, int)> path)
    {
        var vr = element is DicomValueElement ? DicomDataset.ValueVr(element) : element.Vr == DicomVr.UN ? DicomVr.SQ : element.Vr;
        writer.WriteStartObject();
        writer.WriteString("vr", DicomVrInfo.ToText(vr));
        switch (element)
        {
            case DicomSequence sequence when sequence.Items.Count > 0:
                writer.WriteStartArray("Value");
                for (var i = 0; i < sequence.Items.Count; i++)
                {
                    path.Add((sequence.Tag, i));
                    WriteDataset(writer, sequence.Items[i], options, path, top: false);
                    path.RemoveAt(path.Count - 1);
                }
                writer.WriteEndArray();
                break;
            case DicomFragments fragments:
                if (options.BulkDataUri?.Invoke(fragments, path) is { } fragmentsUri)
                    writer.WriteString("BulkDataURI", fragmentsUri);
                break;
            case DicomValueElement value when value.Length > 0:
                WriteValue(writer, dataset, value, vr, options, path);
                break;
        }
        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, DicomDataset dataset, DicomValueElement value, DicomVr vr, DicomJsonOptions options, List<(DicomTag, int)> path)
    {
        if (DicomVrInfo.IsBinary(vr))
        {
            if (value.Length <= options.InlineBinaryThreshold || options.BulkDataUri is null)
            {
                if (value.Length <= options.InlineBinaryThreshold || value.IsLoaded)
                    writer.WriteBase64String("InlineBinary", value.Bytes.Span);
                return;
            }
            if (options.BulkDataUri(value, path) is { } uri)
                writer.WriteString("BulkDataURI", uri);
            return;
        }
        var parts = dataset.GetStrings(value.Tag);
        if (parts.Length == 0)
            return; // only padding: an empty value
        writer.WriteStartArray("Value");
        foreach (var part in parts)
        {
            switch (vr)
            {
                case DicomVr.PN:
                    WritePersonName(writer, part);
                    break;
                case DicomVr.DS or DicomVr.FL or DicomVr.FD:
                    WriteNumber(writer, part, integer: false);
                    break;
                case DicomVr.IS or DicomVr.SL or DicomVr.SS or DicomVr.UL or DicomVr.US or DicomVr.SV or DicomVr.UV:
                    WriteNumber(writer, part, integer: true);
                    break;
                default:
                    if (part.Length == 0)
                        writer.WriteNullValue();
                    else
                        writer.WriteStringValue(part);
                    break;
            }
        }
        writer.WriteEndArray();
    }

    /// <summary>Numbers as JSON numbers; an empty component as null; text that is no number (a defect in the source) as a string rather than lost.</summary>
    private static void WriteNumber(Utf8JsonWriter writer, string text, bool integer)
    {
        text = text.Trim();
        if (text.Length == 0)
            writer.WriteNullValue();
        else if (integer && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
            writer.WriteNumberValue(n);
        else if (integer && ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var u))
            writer.WriteNumberValue(u);
        else if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
            writer.WriteRawValue(IsJsonNumber(text) ? text : d.ToString("R", CultureInfo.InvariantCulture));
        else
            writer.WriteStringValue(text);
    }

    /// <summary>Whether DICOM's decimal text is also valid JSON number text (no leading '+', no leading zeros, no bare '.').</summary>
    private static bool IsJsonNumber(string text)
    {
        var reader = new Utf8JsonReader(System.Text.Encoding.ASCII.GetBytes(text));
        try
        {
            return reader.Read() && reader.TokenType == JsonTokenType.Number && reader.BytesConsumed == text.Length;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static void WritePersonName(Utf8JsonWriter writer, string name)
    {
        if (name.Length == 0)
        {
            writer.WriteNullValue();
            return;
        }
        var groups = name.Split('=');
        writer.WriteStartObject();
        string[] keys = ["Alphabetic", "Ideographic", "Phonetic"];
        for (var i = 0; i < groups.Length && i < keys.Length; i++)
        {
            if (groups[i].Length > 0)
                writer.WriteString(keys[i], groups[i]);
        }
        writer.WriteEndObject();
    }
}
