using Shouldly;
using Tessera.Dicom.IO;
using Tessera.Dicom.Text;

namespace Tessera.Dicom.Tests.Text;

/// <summary>Specific Character Sets of the corpus decode to the names the corpus's reference screenshot shows.</summary>
public sealed class CharacterSetTests
{
    [Theory]
    [InlineData("orthanc-tests/Encodings/DavidClunie/SCSFREN", "Buc^Jérôme")]
    [InlineData("orthanc-tests/Encodings/DavidClunie/SCSGERM", "Äneas^Rüdiger")]
    [InlineData("orthanc-tests/Encodings/DavidClunie/SCSGREEK", "Διονυσιος")]
    [InlineData("orthanc-tests/Encodings/DavidClunie/SCSRUSS", "Люкceмбypг")]
    [InlineData("orthanc-tests/Encodings/DavidClunie/SCSHBRW", "שרון^דבורה")]
    [InlineData("orthanc-tests/Encodings/DavidClunie/SCSARAB", "قباني^لنزار")]
    [InlineData("orthanc-tests/Encodings/DavidClunie/SCSX1", "Wang^XiaoDong=王^小東=")]
    [InlineData("orthanc-tests/Encodings/DavidClunie/SCSX2", "Wang^XiaoDong=王^小东=")]
    [InlineData("orthanc-tests/Encodings/DavidClunie/SCSI2", "Hong^Gildong=洪^吉洞=홍^길동")]
    [InlineData("orthanc-tests/Encodings/DavidClunie/SCSH31", "Yamada^Tarou=山田^太郎=やまだ^たろう")]
    [InlineData("orthanc-tests/Encodings/DavidClunie/SCSH32", "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう")]
    [InlineData("fo-dicom/chrGB2312.dcm", "Zhang^XiaoDong=张^小东=")]
    public void GetString_PatientNameInCorpusCharacterSet_DecodesToReference(string relative, string expected)
    {
        var file = DicomReader.ReadFile(TestCorpus.File(relative), DicomReadOptions.Headers);
        file.Dataset.GetString(DicomTags.PatientName).ShouldBe(expected);
    }

    [Fact]
    public void Decode_Latin1AfterIso2022Escape_SwitchesAndResetsAtDelimiters()
    {
        var set = DicomCharacterSet.FromTerms(["ISO 2022 IR 6", "ISO 2022 IR 100"]);
        byte[] bytes = [.. "Caf"u8, 0x1B, 0x2D, 0x41, 0xE9, .. "^X"u8];
        set.Decode(bytes, DicomVr.PN).ShouldBe("Café^X");
    }

    [Fact]
    public void Decode_TextVrInDefaultRepertoire_ReadsHighBytesAsLatin1RatherThanLosingThem()
    {
        DicomCharacterSet.Default.Decode([0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72], DicomVr.LO).ShouldBe("Müller");
    }

    [Theory]
    [InlineData("ISO_IR 100", "Jérôme")]
    [InlineData("ISO_IR 192", "山田^太郎")]
    [InlineData("ISO_IR 144", "Люкceмбypг")]
    [InlineData("GB18030", "王^小东")]
    public void Encode_ThenDecode_RoundTrips(string term, string text)
    {
        var set = DicomCharacterSet.FromTerms([term]);
        set.Decode(set.Encode(text, DicomVr.PN), DicomVr.PN).ShouldBe(text);
    }

    [Fact]
    public void Encode_CharacterOutsideTheSet_FailsClearly()
    {
        var set = DicomCharacterSet.FromTerms(["ISO_IR 100"]);
        Should.Throw<DicomException>(() => set.Encode("山田", DicomVr.PN)).Message.ShouldContain("ISO_IR 192");
    }

    [Fact]
    public void FromTerms_UnknownTerm_ReportedAndReadAsDefault()
    {
        var set = DicomCharacterSet.FromTerms(["ISO_IR 999"]);
        set.UnknownTerms.ShouldBe(["ISO_IR 999"]);
        set.Decode("abc"u8, DicomVr.LO).ShouldBe("abc");
    }

    [Fact]
    public void GetString_ItemWithoutOwnCharacterSet_InheritsItsDataset()
    {
        var dataset = new DicomDataset();
        dataset.SetString(DicomTags.SpecificCharacterSet, DicomVr.CS, "ISO_IR 192");
        var item = new DicomDataset();
        var sequence = new DicomSequence(DicomTags.ReferencedStudySequence, [item]);
        dataset.Set(sequence);
        item.SetString(DicomTags.PatientName, DicomVr.PN, "山田^太郎");
        item.GetString(DicomTags.PatientName).ShouldBe("山田^太郎");
    }
}
