using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;

namespace Tessera.Dicom.Json;

/// <summary>Reads the DICOM JSON model (PS3.18 F.2) into a dataset, in UTF-8 (Specific Character Set ISO_IR 192 unless already so).</summary>
public static class DicomJsonReader
{
    /// <param name="bulkData">Resolves a BulkDataURI to the value's bytes; without it such values are left empty.</param>
    public static DicomDataset Parse(string json, Func<string, byte[]>? bulkData = null)
    {
        using var document = JsonDocument.Parse(json);
        return Parse(document.RootElement, bulkData);
    }

    public static DicomDataset Parse(JsonElement root, Func<string, byte[]>? bulkData = null)
    {
        if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() == 1)
            root = root[0];
        if (root.ValueKind != JsonValueKind.Object)
            throw new DicomException("DICOM JSON must be an object of attributes (or an array holding one)");
        var dataset = ReadDataset(root, bulkData, 0);
        // Strings from JSON are Unicode (declarations in the JSON were skipped while reading): the dataset says so.
        if (dataset.Count > 0)
            dataset.Set(new DicomValueElement(DicomTags.SpecificCharacterSet, DicomVr.CS, "ISO_IR 192"u8.ToArray()));
        return dataset;
    }

    private static DicomDataset ReadDataset(JsonElement obj, Func<string, byte[]>? bulkData, int depth)
    {
        if (depth > 64)
            throw new DicomException("DICOM JSON nests deeper than 64 sequence levels");
        var dataset = new DicomDataset();
        foreach (var property in obj.EnumerateObject())
        {
            if (!DicomTag.TryParse(property.Name, out var tag) || property.Name.Length != 8)
                throw new DicomException($"'{property.Name}' is not a tag (eight hexadecimal digits)");
            if (tag == DicomTags.SpecificCharacterSet)
                continue; // replaced by ISO_IR 192: every string below is encoded in UTF-8
            dataset.Set(ReadElement(tag, property.Value, bulkData, depth));
        }
        return dataset;
    }

    private static DicomElement ReadElement(DicomTag tag, JsonElement attribute, Func<string, byte[]>? bulkData, int depth)
    {
        if (attribute.ValueKind != JsonValueKind.Object || !attribute.TryGetProperty("vr", out var vrText)
            || vrText.ValueKind != JsonValueKind.String || !DicomVrInfo.TryParse(vrText.GetString(), out var vr))
            throw new DicomException($"attribute {tag} has no valid \"vr\"", tag: tag);
        if (attribute.TryGetProperty("InlineBinary", out var inline))
            return new DicomValueElement(tag, vr, DicomDataset.Pad(Base64(Text(inline, tag, "InlineBinary"), tag), vr));
        if (attribute.TryGetProperty("BulkDataURI", out var uri))
            return new DicomValueElement(tag, vr, bulkData is null ? [] : DicomDataset.Pad(bulkData(Text(uri, tag, "BulkDataURI")), vr));
        var hasValue = attribute.TryGetProperty("Value", out var value) && value.ValueKind == JsonValueKind.Array;
        if (vr == DicomVr.SQ)
        {
            var sequence = new DicomSequence(tag);
            if (hasValue)
            {
                foreach (var item in value.EnumerateArray())
                    sequence.Add(item.ValueKind == JsonValueKind.Object ? ReadDataset(item, bulkData, depth + 1) : new DicomDataset());
            }
            return sequence;
        }
        if (!hasValue)
            return new DicomValueElement(tag, vr, ReadOnlyMemory<byte>.Empty);
        return new DicomValueElement(tag, vr, Encode(tag, vr, value));
    }

    private static byte[] Encode(DicomTag tag, DicomVr vr, JsonElement values)
    {
        var items = values.EnumerateArray().ToArray();
        var size = vr == DicomVr.AT ? 4 : DicomVrInfo.WordSize(vr);
        if (!DicomVrInfo.IsString(vr) && size > 1)
        {
            var bytes = new byte[items.Length * size];
            for (var i = 0; i < items.Length; i++)
                WriteBinaryNumber(bytes.AsSpan(i * size), vr, items[i], tag);
            return bytes;
        }
        var text = string.Join('\\', items.Select(item => item.ValueKind switch
        {
            JsonValueKind.Null => "",
            JsonValueKind.Number => item.GetRawText(),
            JsonValueKind.String => item.GetString() ?? "",
            JsonValueKind.Object when vr == DicomVr.PN => PersonName(item, tag),
            _ => throw new DicomException($"attribute {tag} has a value of the wrong kind ({item.ValueKind})", tag: tag),
        }));
        // Only the VRs that follow the character set may carry UTF-8; the rest are single-byte (Latin-1 at worst, as read).
        var encoding = DicomVrInfo.UsesCharacterSet(vr) ? System.Text.Encoding.UTF8 : System.Text.Encoding.Latin1;
        return DicomDataset.Pad(encoding.GetBytes(text), vr);
    }

    private static string PersonName(JsonElement name, DicomTag tag)
    {
        string Group(string key) => name.TryGetProperty(key, out var g) ? Text(g, tag, key) : "";
        return string.Join('=', Group("Alphabetic"), Group("Ideographic"), Group("Phonetic")).TrimEnd('=');
    }

    /// <summary>A member that must be a string (or null, read as empty): anything else is the sender's error, not ours.</summary>
    private static string Text(JsonElement value, DicomTag tag, string member) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.Null => "",
        _ => throw new DicomException($"attribute {tag} has a {member} that is not a string ({value.ValueKind})", tag: tag),
    };

    private static byte[] Base64(string text, DicomTag tag)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new DicomException($"attribute {tag} has an InlineBinary that is not Base64", tag: tag);
        }
    }

    private static void WriteBinaryNumber(Span<byte> target, DicomVr vr, JsonElement item, DicomTag tag)
    {
        var text = item.ValueKind == JsonValueKind.String ? item.GetString() ?? "" : item.GetRawText();
        var c = CultureInfo.InvariantCulture;
        bool ok;
        switch (vr)
        {
            case DicomVr.US:
                if (ok = ushort.TryParse(text, c, out var us)) BinaryPrimitives.WriteUInt16LittleEndian(target, us);
                break;
            case DicomVr.SS:
                if (ok = short.TryParse(text, c, out var ss)) BinaryPrimitives.WriteInt16LittleEndian(target, ss);
                break;
            case DicomVr.UL:
                if (ok = uint.TryParse(text, c, out var ul)) BinaryPrimitives.WriteUInt32LittleEndian(target, ul);
                break;
            case DicomVr.SL:
                if (ok = int.TryParse(text, c, out var sl)) BinaryPrimitives.WriteInt32LittleEndian(target, sl);
                break;
            case DicomVr.UV:
                if (ok = ulong.TryParse(text, c, out var uv)) BinaryPrimitives.WriteUInt64LittleEndian(target, uv);
                break;
            case DicomVr.SV:
                if (ok = long.TryParse(text, c, out var sv)) BinaryPrimitives.WriteInt64LittleEndian(target, sv);
                break;
            case DicomVr.FL:
                if (ok = float.TryParse(text, c, out var fl)) BinaryPrimitives.WriteSingleLittleEndian(target, fl);
                break;
            case DicomVr.FD:
                if (ok = double.TryParse(text, c, out var fd)) BinaryPrimitives.WriteDoubleLittleEndian(target, fd);
                break;
            case DicomVr.AT:
                if (ok = uint.TryParse(text, NumberStyles.AllowHexSpecifier, c, out var at))
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(target, (ushort)(at >> 16));
                    BinaryPrimitives.WriteUInt16LittleEndian(target[2..], (ushort)at);
                }
                break;
            default:
                ok = false;
                break;
        }
        if (!ok)
            throw new DicomException($"attribute {tag} ({DicomVrInfo.ToText(vr)}) has the value '{text}', which is not one", tag: tag);
    }
}
