using Shouldly;
using Tessera.Dicom.Media;

namespace Tessera.Dicom.Tests.Media;

/// <summary>File IDs as discs carry them: mangled case and ISO 9660 versions matched, escapes refused.</summary>
public sealed class MediaFileIdTests
{
    [Theory]
    [InlineData("DICOM/PAT1/IM1", "DICOM/PAT1/IM1")]
    [InlineData("dicom/pat1/im1", "DICOM/PAT1/IM1")]
    [InlineData("DICOM/PAT1/IM1;1", "DICOM/PAT1/IM1")]
    [InlineData("dicom/pat1/im1.;1", "DICOM/PAT1/IM1")]
    [InlineData("Dicom/Pat1/Im1.", "DICOM/PAT1/IM1")]
    public void MatchKey_DiscNameMangling_MatchesTheFileId(string present, string fileId) =>
        MediaFileId.MatchKey(present).ShouldBe(MediaFileId.MatchKey(fileId.Split('/')));

    [Theory]
    [InlineData("..", "DICOM")]
    [InlineData("DICOM", "..", "..", "etc")]
    [InlineData("", "etc", "passwd")]
    [InlineData("C:", "x")]
    [InlineData("DICOM/../x")]
    [InlineData("A\u0001")]
    [InlineData(".")]
    public void Check_EscapingOrMalformedFileId_Refused(params string[] components) =>
        MediaFileId.Check(components).ShouldNotBeNull();

    [Fact]
    public void Check_TooManyComponents_Refused() =>
        MediaFileId.Check(Enumerable.Repeat("A", 1000).ToArray()).ShouldNotBeNull();

    [Theory]
    [InlineData("DICOM", "PAT00001", "IMG00001")]
    [InlineData("im1;1")]
    public void Check_FileIdsOfRealDiscs_Accepted(params string[] components) =>
        MediaFileId.Check(components).ShouldBeNull();

    [Theory]
    [InlineData("DICOMDIR", true)]
    [InlineData("cd/dicomdir", true)]
    [InlineData("CD/DICOMDIR;1", true)]
    [InlineData("DICOMDIR.", true)]
    [InlineData("DICOMDIR.bak", false)]
    [InlineData("NOTDICOMDIR", false)]
    public void IsDicomDirName_AsDiscsSpellIt(string path, bool expected) => MediaFileId.IsDicomDirName(path).ShouldBe(expected);

    [Theory]
    [InlineData("IMG00001", true)]
    [InlineData("img00001", false)]
    [InlineData("IMG000001", false)]
    [InlineData("IM-1", false)]
    public void IsStandardComponent_Ps310Rules(string component, bool expected) => MediaFileId.IsStandardComponent(component).ShouldBe(expected);

    [Fact]
    public void Match_MissingRefusedAndUnreferenced_EachListed()
    {
        var entries = DicomDirectoryTests.SampleTree(1, 1, 1, 3);
        entries[0].Lower[0].Lower[0].Lower[2].Keys.SetString(DicomTags.ReferencedFileId, @"..\..\etc\passwd");
        using var output = new MemoryStream();
        DicomDirectoryWriter.Write(output, entries, "", "2.25.1");
        output.Position = 0;
        var directory = DicomDirectory.Read(output);

        var files = DicomDirectoryFiles.Match(directory, ["dicom/p1/s1/r1/i1;1", "DICOMDIR", "autorun.inf", "etc/passwd"]);

        files.Referenced.Keys.ShouldBe(["dicom/p1/s1/r1/i1;1"]);
        files.Missing.Single().FileIdText.ShouldBe(@"DICOM\P1\S1\R1\I2");
        files.Refused.Single().Reason.ShouldContain("'..'");
        files.Unreferenced.ShouldBe(["autorun.inf", "etc/passwd"]);
    }
}
