using Shouldly;
using Tessera.Dicom.IO;

namespace Tessera.Dicom.Tests.Fuzz;

/// <summary>
/// Found by fuzz/ (target dicom): a deflated dataset whose zlib header asks for a preset dictionary makes the
/// runtime's inflater throw ZLibException, which escaped the reader instead of its DicomException.
/// </summary>
public sealed class DeflatedZLibError
{
    /// <summary>A zlib header (CMF 0x78) with FDICT set, a dictionary id, then bytes that are never reached.</summary>
    private static readonly byte[] NeedsDictionary = [0x78, 0x20, 0x00, 0x00, 0x00, 0x01, 0x63, 0x60, 0x00, 0x00];

    [Fact]
    public void Read_DeflatedDatasetNeedingAZLibDictionary_ThrowsDicomException()
    {
        using var stream = DeflatedFile(NeedsDictionary);
        var error = Should.Throw<DicomException>(() => DicomReader.Read(stream));
        error.Message.ShouldContain("does not inflate");
        error.InnerException.ShouldBeAssignableTo<IOException>(); // the runtime's internal ZLibException
    }

    [Fact]
    public void ReadDataset_DeflatedBytesNeedingAZLibDictionary_ThrowsDicomException()
    {
        using var stream = new MemoryStream(NeedsDictionary);
        Should.Throw<DicomException>(() => DicomReader.ReadDataset(stream, TransferSyntax.DeflatedExplicitVrLittleEndian));
    }

    [Fact]
    public void Read_DeflatedDatasetThatIsNotDeflate_ThrowsDicomException()
    {
        using var stream = DeflatedFile([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
        Should.Throw<DicomException>(() => DicomReader.Read(stream)).InnerException.ShouldBeOfType<InvalidDataException>();
    }

    private static MemoryStream DeflatedFile(byte[] body)
    {
        var file = new MemoryStream();
        DicomWriter.WriteFileHeader(file, "1.2.840.10008.5.1.4.1.1.7", "1.2.3.4", TransferSyntax.DeflatedExplicitVrLittleEndian);
        file.Write(body);
        file.Position = 0;
        return file;
    }
}
