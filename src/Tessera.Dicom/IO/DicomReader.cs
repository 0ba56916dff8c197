using System.IO.Compression;

namespace Tessera.Dicom.IO;

/// <summary>
/// Reads DICOM objects: Part 10 files with or without preamble, and bare datasets, in any
/// transfer syntax (PS3.5, PS3.10). Reading is forward-only; values past the bulk data threshold
/// are left in the source, so memory stays flat whatever the object's size.
/// </summary>
public static class DicomReader
{
    private static readonly byte[] Magic = "DICM"u8.ToArray();

    public static DicomFile ReadFile(string path, DicomReadOptions? options = null)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        return Read(stream, options, new FileBulkDataSource(path));
    }

    /// <summary>Reads from the stream's current position.</summary>
    /// <param name="source">Where bulk data can be read again later; without one, large values are loaded (or dropped, as the options say).</param>
    public static DicomFile Read(Stream stream, DicomReadOptions? options = null, IBulkDataSource? source = null)
    {
        options ??= DicomReadOptions.Default;
        var input = new DicomInput(stream, stream.CanSeek ? stream.Position : 0);
        var preamble = false;
        if (input.Ensure(132) && input.Peek(132)[128..].SequenceEqual(Magic))
        {
            input.Advance(132);
            preamble = true;
        }
        else if (input.Ensure(4) && input.Peek(4).SequenceEqual(Magic))
        {
            input.Advance(4);
        }

        var meta = new DicomDataset();
        if (input.Ensure(6) && input.Peek(2)[0] == 2 && input.Peek(2)[1] == 0)
        {
            var metaParser = new DatasetParser(input, TransferSyntax.ExplicitVrLittleEndian, options with { StopBefore = null }, source) { MetaOnly = true };
            metaParser.ReadTopLevel(meta);
        }

        var declared = meta.GetString(DicomTags.TransferSyntaxUid);
        var syntax = string.IsNullOrEmpty(declared) ? Detect(input) : Correct(TransferSyntax.Lookup(declared), input);
        var datasetOffset = input.Position;
        var dataset = new DicomDataset();
        // The inflating stream holds native zlib state: disposed once read (it leaves the caller's stream open).
        using var inflated = syntax.Deflated ? Inflate(input, stream) : null;
        var parser = inflated is not null
            ? new DatasetParser(new DicomInput(inflated, 0), syntax, options, null)
            : new DatasetParser(input, syntax, options, source);
        var stopped = inflated is not null ? Inflating(() => parser.ReadTopLevel(dataset)) : parser.ReadTopLevel(dataset);
        if (meta.Count == 0 && dataset.Count == 0)
            throw new DicomException("not DICOM: no file meta information and no data elements");
        return new DicomFile(meta, dataset, syntax)
        {
            HadPreamble = preamble,
            DatasetOffset = datasetOffset,
            Stopped = stopped,
            Source = syntax.Deflated ? null : source,
            Warnings = parser.Warnings,
        };
    }

    /// <summary>Reads a bare dataset (no meta information) in a known syntax, as DIMSE and STOW bodies carry them.</summary>
    public static DicomDataset ReadDataset(Stream stream, TransferSyntax syntax, DicomReadOptions? options = null, IBulkDataSource? source = null)
    {
        options ??= DicomReadOptions.Default;
        var input = new DicomInput(stream, stream.CanSeek ? stream.Position : 0);
        var dataset = new DicomDataset();
        if (syntax.Deflated)
        {
            using var inflated = Inflate(input, stream);
            Inflating(() => new DatasetParser(new DicomInput(inflated, 0), syntax, options, null).ReadTopLevel(dataset));
        }
        else
            new DatasetParser(input, syntax, options, source).ReadTopLevel(dataset);
        return dataset;
    }

    /// <summary>Whether the bytes look like the start of a DICOM object: "DICM" after a preamble or at the start, or a plausible first element.</summary>
    public static bool LooksLikeDicom(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 132 && head[128..132].SequenceEqual(Magic))
            return true;
        if (head.Length >= 4 && head[..4].SequenceEqual(Magic))
            return true;
        if (head.Length < 8)
            return false;
        var group = (ushort)(head[0] | head[1] << 8);
        var element = (ushort)(head[2] | head[3] << 8);
        var bigGroup = (ushort)(head[0] << 8 | head[1]);
        // A bare dataset starts with a low, even, standard group: meta (0002), 0008 or, rarely, a group length.
        var plausibleGroup = group is 0x0002 or 0x0004 or 0x0008 || bigGroup == 0x0008;
        if (!plausibleGroup || (group & 1) == 1)
            return false;
        if (DicomVrInfo.TryParse(head[4], head[5], out _))
            return true;
        // Implicit VR: a known tag with a modest length.
        var length = (uint)(head[4] | head[5] << 8 | head[6] << 16 | head[7] << 24);
        return Dictionary.DicomDictionary.Find(new DicomTag(group, element)) is not null && length < 0x10000;
    }

    /// <summary>Whether a file starts like a DICOM object (see <see cref="LooksLikeDicom(ReadOnlySpan{byte})"/>).</summary>
    public static bool LooksLikeDicomFile(string path)
    {
        Span<byte> head = stackalloc byte[256];
        using var stream = File.OpenRead(path);
        var n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return LooksLikeDicom(head[..n]);
    }

    private static TransferSyntax Detect(DicomInput input)
    {
        if (!input.Ensure(6))
            return TransferSyntax.ImplicitVrLittleEndian;
        var head = input.Peek(6);
        if (DicomVrInfo.TryParse(head[4], head[5], out _))
        {
            var littleGroup = (ushort)(head[0] | head[1] << 8);
            var bigGroup = (ushort)(head[0] << 8 | head[1]);
            return bigGroup < littleGroup ? TransferSyntax.ExplicitVrBigEndian : TransferSyntax.ExplicitVrLittleEndian;
        }
        return TransferSyntax.ImplicitVrLittleEndian;
    }

    /// <summary>
    /// Files in the field sometimes declare one syntax and use another (explicit declared, implicit written).
    /// The first element tells: an explicit VR header has two letters where an implicit one has a length.
    /// </summary>
    private static TransferSyntax Correct(TransferSyntax declared, DicomInput input)
    {
        if (declared.Deflated || !input.Ensure(6))
            return declared;
        var head = input.Peek(6);
        var hasVr = DicomVrInfo.TryParse(head[4], head[5], out _);
        if (declared.ExplicitVr && !hasVr && !declared.BigEndian)
            return TransferSyntax.ImplicitVrLittleEndian;
        if (!declared.ExplicitVr && hasVr)
            return TransferSyntax.ExplicitVrLittleEndian;
        return declared;
    }

    /// <summary>
    /// Parses from an inflating stream: corrupt deflate data surfaces from the runtime as InvalidDataException or,
    /// for some bit patterns (a zlib header that asks for a preset dictionary), as ZLibException; either is bad input.
    /// </summary>
    private static bool Inflating(Func<bool> parse)
    {
        try
        {
            return parse();
        }
        // ZLibException is internal to the runtime (an IOException): matched by name, so that a failing source stream's
        // own IOException still reaches the caller as what it is.
        catch (Exception e) when (e is InvalidDataException || e.GetType().FullName == "System.IO.Compression.ZLibException")
        {
            throw new DicomException($"the deflated dataset does not inflate: {e.Message}", inner: e);
        }
    }

    private static Stream Inflate(DicomInput input, Stream stream)
    {
        var rest = input.DetachRemaining(stream);
        // PS3.5 A.5 asks for raw deflate; some writers add a zlib header. Accept both.
        var head = new byte[2];
        var buffered = new BufferedStream(rest, 64 * 1024);
        var n = buffered.Read(head, 0, 2);
        var prefixed = new PrefixedStream(head.AsMemory(0, n), buffered);
        var zlib = n == 2 && (head[0] & 0x0F) == 8 && ((head[0] << 8) | head[1]) % 31 == 0;
        return zlib ? new ZLibStream(prefixed, CompressionMode.Decompress) : new DeflateStream(prefixed, CompressionMode.Decompress);
    }
}
