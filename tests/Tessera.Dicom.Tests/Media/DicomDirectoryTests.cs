using System.Buffers.Binary;
using Shouldly;
using Tessera.Dicom.IO;
using Tessera.Dicom.Media;

namespace Tessera.Dicom.Tests.Media;

/// <summary>DICOMDIRs of the corpus (written by others) and our own, read by following their record offsets; hostile ones refused or read without their links.</summary>
public sealed class DicomDirectoryTests
{
    [Theory]
    [InlineData("dcm4che/DICOMDIR", 44)]
    [InlineData("fo-dicom/DICOMDIR", 80)]
    [InlineData("orthanc-tests/Encodings/DavidClunie/DICOMDIR", 44)]
    public void Read_CorpusDicomDir_EveryRecordReachedFromTheRoot(string file, int records)
    {
        var directory = DicomDirectory.ReadFile(TestCorpus.File(file));

        directory.LinkError.ShouldBeNull();
        directory.TotalRecords.ShouldBe(records);
        directory.Records.Count.ShouldBe(records);
        directory.Records.Where(r => r.Type == "PATIENT").ShouldAllBe(r => r.Parent == null);
        directory.Records.Where(r => r.Type == "STUDY").ShouldAllBe(r => r.Parent!.Type == "PATIENT");
        directory.Records.Where(r => r.Type == "IMAGE").ShouldAllBe(r => r.Parent!.Type == "SERIES" && r.FileId.Count > 0);
    }

    [Fact]
    public void Read_CharacterSetDisc_EachRecordReferencesAFilePresentBesideIt()
    {
        var folder = Path.GetDirectoryName(TestCorpus.File("orthanc-tests/Encodings/DavidClunie/DICOMDIR"))!;
        var directory = DicomDirectory.ReadFile(Path.Combine(folder, "DICOMDIR"));
        var present = Directory.GetFiles(folder).Select(Path.GetFileName).OfType<string>().ToList();

        var files = DicomDirectoryFiles.Match(directory, present);

        files.Referenced.Count.ShouldBe(11);
        files.Missing.ShouldBeEmpty();
        files.Unreferenced.ShouldBe(["charsettests.screenshot.png"]);
    }

    [Fact]
    public void Write_ThenRead_SameTreeAndOffsetsWhereItemsStart()
    {
        var roots = SampleTree(patients: 2, studies: 2, series: 2, images: 3);
        using var output = new MemoryStream();
        DicomDirectoryWriter.Write(output, roots, "TESSERA", "2.25.1234");

        output.Position = 0;
        var directory = DicomDirectory.Read(output);

        directory.LinkError.ShouldBeNull();
        directory.Warnings.ShouldBeEmpty();
        directory.FileSetId.ShouldBe("TESSERA");
        directory.File.Meta.GetString(DicomTags.MediaStorageSopClassUid).ShouldBe(DicomDirectory.SopClassUid);
        directory.Records.Count.ShouldBe(2 + 4 + 8 + 24);
        var image = directory.Records.Single(r => r.FileIdText == @"DICOM\P2\S2\R2\I3");
        image.Parent!.Dataset.GetString(DicomTags.SeriesInstanceUid).ShouldBe("1.2.2.2.2");
        image.Parent.Parent!.Parent!.Dataset.GetString(DicomTags.PatientId).ShouldBe("PID2");
        // The offsets name the first byte of each item's tag: (FFFE,E000) in little endian.
        var bytes = output.ToArray();
        foreach (var record in directory.Records)
            BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)record.Offset)).ShouldBe(0xE000FFFEu);
    }

    [Fact]
    public void Write_Empty_ValidDirectoryWithoutRecords()
    {
        using var output = new MemoryStream();
        DicomDirectoryWriter.Write(output, [], "", "2.25.1");
        output.Position = 0;
        var directory = DicomDirectory.Read(output);
        directory.Records.ShouldBeEmpty();
        directory.LinkError.ShouldBeNull();
    }

    [Fact]
    public void Read_NextOffsetPointsBackToItsOwnRecord_ReportsACycleAndFallsBackToSequenceOrder()
    {
        var bytes = Hostile((records, _) => records[3].Set(Offset(DicomTags.OffsetOfTheNextDirectoryRecord, records[3].Offset)));

        var directory = DicomDirectory.Read(new MemoryStream(bytes));

        directory.LinkError.ShouldNotBeNull();
        directory.LinkError.ShouldContain("cycle");
        directory.Records.Count.ShouldBe(directory.TotalRecords);
    }

    [Fact]
    public void Read_LowerLevelOffsetPointsToAnAncestor_ReportsACycle()
    {
        var bytes = Hostile((records, _) => records[2].Set(Offset(DicomTags.OffsetOfReferencedLowerLevelDirectoryEntity, records[0].Offset)));
        DicomDirectory.Read(new MemoryStream(bytes)).LinkError!.ShouldContain("reached a second time");
    }

    [Theory]
    [InlineData(0xFFFFFFF0u)]
    [InlineData(3u)]
    public void Read_OffsetOutOfRangeOrInsideARecord_NamesTheOffset(uint offset)
    {
        var bytes = Hostile((records, _) => records[1].Set(Offset(DicomTags.OffsetOfTheNextDirectoryRecord, offset)));
        DicomDirectory.Read(new MemoryStream(bytes)).LinkError!.ShouldContain($"offset {offset} given by the STUDY record");
    }

    [Fact]
    public void Read_RootOffsetZeroWithRecords_ReadsThemInSequenceOrder()
    {
        var bytes = Hostile((_, dataset) => dataset.Set(Offset(DicomTags.OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity, 0)));
        var directory = DicomDirectory.Read(new MemoryStream(bytes));
        directory.LinkError!.ShouldContain("root directory entity");
        directory.FileRecords.Count().ShouldBe(3);
    }

    [Fact]
    public void Read_InactiveRecord_SkippedWithItsLowerLevels()
    {
        // Record 2 is the first SERIES: inactive, so its three images go with it.
        var bytes = Hostile((records, _) => records[2].SetUInt16(DicomTags.RecordInUseFlag, 0));
        var directory = DicomDirectory.Read(new MemoryStream(bytes));
        directory.LinkError.ShouldBeNull();
        directory.Records.Count.ShouldBe(2);
        directory.FileRecords.ShouldBeEmpty();
    }

    [Fact]
    public void Read_MoreRecordsThanTheLimit_Refused()
    {
        using var output = new MemoryStream();
        DicomDirectoryWriter.Write(output, SampleTree(1, 1, 1, 50), "", "2.25.1");
        output.Position = 0;
        // Whichever bound the records reach first: 4 sequence items or 16 elements a record.
        Should.Throw<DicomException>(() => DicomDirectory.Read(output, new DicomDirectoryLimits { MaxRecords = 10 }))
            .Message.ShouldMatch("more than (40 sequence items|160 elements)");
    }

    [Fact]
    public void Read_ARecordOfManyElements_Refused()
    {
        // One record stuffed with empty private elements: small on disc, large in memory (an attack found it).
        var bytes = Hostile((records, _) =>
        {
            for (ushort element = 0x1000; element < 0x1000 + 200; element++)
                records[0].SetString(new DicomTag(0x0009, element), DicomVr.LO, "");
        });

        Should.Throw<DicomException>(() => DicomDirectory.Read(new MemoryStream(bytes), new DicomDirectoryLimits { MaxRecords = 10 }))
            .Message.ShouldContain("more than 160 elements");
    }

    [Fact]
    public void Read_LargerThanTheLimit_RefusedBeforeReading()
    {
        using var output = new MemoryStream();
        DicomDirectoryWriter.Write(output, SampleTree(1, 1, 1, 50), "", "2.25.1");
        output.Position = 0;
        Should.Throw<DicomException>(() => DicomDirectory.Read(output, new DicomDirectoryLimits { MaxBytes = 1000 })).Message.ShouldContain("at most 1,000");
        output.Position = 0;
        Should.Throw<DicomException>(() => DicomDirectory.Read(new IO.NonSeekableStream(output), new DicomDirectoryLimits { MaxBytes = 1000 }));
    }

    [Fact]
    public void Read_NestedDeeperThanTheLimit_ReportsIt()
    {
        var deep = new DicomDirectoryEntry("PRIVATE");
        var current = deep;
        for (var i = 0; i < 40; i++)
        {
            var lower = new DicomDirectoryEntry("PRIVATE");
            current.Lower.Add(lower);
            current = lower;
        }
        using var output = new MemoryStream();
        DicomDirectoryWriter.Write(output, [deep], "", "2.25.1");
        output.Position = 0;
        DicomDirectory.Read(output).LinkError!.ShouldContain("deeper than 16 levels");
    }

    [Fact]
    public void Read_AnImageNotADirectory_Refused()
    {
        var image = new DicomDataset();
        image.SetString(DicomTags.SopClassUid, "1.2.840.10008.5.1.4.1.1.7");
        image.SetString(DicomTags.SopInstanceUid, "2.25.5");
        using var output = new MemoryStream();
        DicomWriter.WriteFile(output, image, TransferSyntax.ExplicitVrLittleEndian);
        output.Position = 0;
        Should.Throw<DicomException>(() => DicomDirectory.Read(output)).Message.ShouldContain("not a DICOMDIR");
    }

    /// <summary>PATIENT, STUDY, two SERIES of three IMAGEs each; <paramref name="change"/> edits the records (items in file order) and the top dataset.</summary>
    private static byte[] Hostile(Action<IReadOnlyList<DicomDataset>, DicomDataset> change)
    {
        var roots = SampleTree(1, 1, 1, 3);
        using var output = new MemoryStream();
        DicomDirectoryWriter.Write(output, roots, "", "2.25.1");
        output.Position = 0;
        var file = DicomReader.Read(output);
        var records = file.Dataset.GetSequence(DicomTags.DirectoryRecordSequence)!.Items;
        change(records, file.Dataset);
        using var changed = new MemoryStream();
        DicomWriter.WriteFile(changed, file);
        return changed.ToArray();
    }

    private static DicomValueElement Offset(DicomTag tag, long value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)value);
        return new DicomValueElement(tag, DicomVr.UL, bytes);
    }

    internal static List<DicomDirectoryEntry> SampleTree(int patients, int studies, int series, int images)
    {
        var roots = new List<DicomDirectoryEntry>();
        for (var p = 1; p <= patients; p++)
        {
            var patient = new DicomDirectoryEntry("PATIENT");
            patient.Keys.SetString(DicomTags.PatientId, $"PID{p}");
            patient.Keys.SetString(DicomTags.PatientName, $"Doe^P{p}");
            roots.Add(patient);
            for (var s = 1; s <= studies; s++)
            {
                var study = new DicomDirectoryEntry("STUDY");
                study.Keys.SetString(DicomTags.StudyInstanceUid, $"1.2.{p}.{s}");
                patient.Lower.Add(study);
                for (var r = 1; r <= series; r++)
                {
                    var seriesEntry = new DicomDirectoryEntry("SERIES");
                    seriesEntry.Keys.SetString(DicomTags.SeriesInstanceUid, $"1.2.{p}.{s}.{r}");
                    study.Lower.Add(seriesEntry);
                    for (var i = 1; i <= images; i++)
                    {
                        var image = new DicomDirectoryEntry("IMAGE");
                        image.Keys.SetString(DicomTags.ReferencedFileId, $@"DICOM\P{p}\S{s}\R{r}\I{i}");
                        image.Keys.SetString(DicomTags.InstanceNumber, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                        seriesEntry.Lower.Add(image);
                    }
                }
            }
        }
        return roots;
    }
}
