using Tessera.Dicom;
using Tessera.Dicom.IO;
using Tessera.Dicom.Json;

namespace Tessera.Fuzz.Targets;

/// <summary>
/// Part 10 files and bare datasets (<see cref="DicomReader.Read"/>, hence the dataset parser) in every transfer
/// syntax, deflated included; then what an upload goes through next: its JSON model and its bytes written again.
/// </summary>
public sealed class DicomFileTarget : FuzzTarget
{
    public override string Name => "dicom";

    public override string Description => "DicomReader.Read (Part 10 and bare datasets, the dataset parser), then the JSON writer and DicomWriter";

    public override void Run(byte[] input)
    {
        using var stream = new MemoryStream(input, writable: false);
        var file = DicomReader.Read(stream);
        DicomJsonWriter.Serialize(file.Dataset);
        DicomWriter.WriteDataset(Stream.Null, file.Dataset, TransferSyntax.ExplicitVrLittleEndian);
    }

    // The reader's whole contract for bad input, deflated data included (Bugs/FuzzDeflateZLibException).
    public override bool IsRefusal(Exception exception) => exception is DicomException;

    public override IEnumerable<Seed> Seeds(SeedCorpus corpus)
    {
        foreach (var seed in corpus.Files([".dcm", ".dic"], DicomReader.LooksLikeDicom))
            yield return seed;
        yield return new Seed("tiny-explicit.dcm", Tiny(TransferSyntax.ExplicitVrLittleEndian));
        yield return new Seed("tiny-implicit.dcm", Tiny(TransferSyntax.ImplicitVrLittleEndian));
        yield return new Seed("tiny-big-endian.dcm", Tiny(TransferSyntax.ExplicitVrBigEndian));
        yield return new Seed("tiny-deflated.dcm", Tiny(TransferSyntax.DeflatedExplicitVrLittleEndian));
    }

    /// <summary>A small file with a nested sequence, written by our own writer in <paramref name="syntax"/>.</summary>
    private static byte[] Tiny(TransferSyntax syntax)
    {
        var item = new DicomDataset();
        item.Set(new DicomValueElement(DicomTags.CodeValue, DicomVr.SH, "121322"u8.ToArray()));
        var dataset = new DicomDataset();
        dataset.Set(new DicomValueElement(DicomTags.SopClassUid, DicomVr.UI, "1.2.840.10008.5.1.4.1.1.7\0"u8.ToArray()));
        dataset.Set(new DicomValueElement(DicomTags.SopInstanceUid, DicomVr.UI, "1.2.3.4\0"u8.ToArray()));
        dataset.Set(new DicomValueElement(DicomTags.PatientName, DicomVr.PN, "Doe^Jane"u8.ToArray()));
        dataset.Set(new DicomValueElement(DicomTags.Rows, DicomVr.US, new byte[] { 2, 0 }));
        dataset.Set(new DicomSequence(DicomTags.ProcedureCodeSequence, [item]));
        using var output = new MemoryStream();
        DicomWriter.WriteFile(output, dataset, syntax);
        return output.ToArray();
    }
}
