using Shouldly;
using Tessera.Archive.Dicom;
using Tessera.Dicom;
using Tessera.Dicom.IO;

namespace Tessera.Archive.Tests.Dicom;

public sealed class LabelTemplateTests
{
    private static DicomDataset Study(string date, string accession)
    {
        var dataset = new DicomDataset();
        dataset.SetString(DicomTags.StudyDate, date);
        dataset.SetString(DicomTags.AccessionNumber, accession);
        dataset.SetString(DicomTags.StudyInstanceUid, "1.2.3.4");
        return dataset;
    }

    [Theory]
    [InlineData("20240501", "20240501_ACC7")]
    [InlineData("1994.01.30", "19940130_ACC7")] // ACR-NEMA 2.0's form, which PS3.5 asks readers to take
    public void Render_StudyDate_AsDicomWritesItNow(string date, string label) =>
        LabelTemplate.Render("{StudyDate}_{AccessionNumber|StudyUidHash}", Study(date, "ACC7")).ShouldBe(label);

    [Theory]
    [InlineData("20240501")]
    [InlineData("2024.05.01")]
    public void GetDate_BothForms_TheSameDay(string date) =>
        DicomHeader.From(new DicomFile(new DicomDataset(), Study(date, "A"), TransferSyntax.ExplicitVrLittleEndian))
            .GetDate(DicomTags.StudyDate).ShouldBe(new DateOnly(2024, 5, 1));

    [Fact]
    public void GetDate_NotADate_Null() =>
        DicomHeader.From(new DicomFile(new DicomDataset(), Study("2024-5-1", "A"), TransferSyntax.ExplicitVrLittleEndian))
            .GetDate(DicomTags.StudyDate).ShouldBeNull();
}
