using Shouldly;
using Tessera.Dicom.Deidentification;
using Tessera.Dicom.IO;

namespace Tessera.Dicom.Tests.Deidentification;

/// <summary>PS3.15 Basic Profile and its options, on a dataset carrying the usual identifiers.</summary>
public sealed class DeidentifierTests
{
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    private static DicomDataset Identified()
    {
        var d = new DicomDataset();
        d.SetString(DicomTags.SpecificCharacterSet, "ISO_IR 100");
        d.SetString(DicomTags.SopClassUid, "1.2.840.10008.5.1.4.1.1.2");
        d.SetString(DicomTags.SopInstanceUid, "1.2.3.4.5.6.7");
        d.SetString(DicomTags.StudyInstanceUid, "1.2.3.4.5");
        d.SetString(DicomTags.SeriesInstanceUid, "1.2.3.4.5.6");
        d.SetString(DicomTags.StudyDate, "20240312");
        d.SetString(DicomTags.StudyTime, "101500");
        d.SetString(DicomTags.AccessionNumber, "ACC777");
        d.SetString(DicomTags.InstitutionName, "St Elsewhere Hospital");
        d.SetString(DicomTags.ReferringPhysicianName, "House^Gregory");
        d.SetString(DicomTags.StudyDescription, "Wrist of Doe, MRN 12345");
        d.SetString(DicomTags.PatientName, "Doe^Johnathan");
        d.SetString(DicomTags.PatientId, "12345");
        d.SetString(DicomTags.PatientBirthDate, "19700101");
        d.SetString(DicomTags.PatientSex, "M");
        d.SetString(DicomTags.PatientAge, "054Y");
        d.SetString(DicomTags.Modality, "CT");
        d.Set(new DicomValueElement(new DicomTag(0x00091010), DicomVr.LO, "ACME 1.0"u8.ToArray()));
        d.Set(new DicomValueElement(new DicomTag(0x00091001), DicomVr.LO, "Doe^Johnathan"u8.ToArray()));
        var reference = new DicomDataset();
        reference.SetString(DicomTags.ReferencedSopClassUid, "1.2.840.10008.5.1.4.1.1.2");
        reference.SetString(DicomTags.ReferencedSopInstanceUid, "1.2.3.4.5.6.8");
        d.Set(new DicomSequence(DicomTags.ReferencedImageSequence, [reference]));
        d.Set(new DicomValueElement(DicomTags.PixelData, DicomVr.OW, new byte[8]));
        return d;
    }

    private static DicomDataset Apply(DeidentificationOptions options, byte[]? key = null)
    {
        var d = Identified();
        new Deidentifier(options, new UidMapper(key ?? Key), "SUBJ01", "SUBJ01").Apply(d);
        return d;
    }

    [Fact]
    public void BasicProfile_RemovesIdentifiersAndPrivateData_RecordsWhatItDid()
    {
        var d = Apply(new DeidentificationOptions());

        d.GetString(DicomTags.PatientName).ShouldBe("SUBJ01");
        d.GetString(DicomTags.PatientId).ShouldBe("SUBJ01");
        d.GetString(DicomTags.StudyDate).ShouldBe("");              // Z
        d.GetString(DicomTags.AccessionNumber).ShouldBe("");        // Z
        d.GetString(DicomTags.PatientSex).ShouldBe("");             // Z
        d.GetString(DicomTags.PatientBirthDate).ShouldBe("");       // Z
        d.Contains(DicomTags.PatientAge).ShouldBeFalse();           // X
        d.Contains(DicomTags.StudyDescription).ShouldBeFalse();     // X
        d.GetString(DicomTags.InstitutionName).ShouldBe("");        // X/Z/D: emptied, valid whatever its Type
        d.Where(e => e.Tag.IsPrivate).ShouldBeEmpty();
        d.GetString(DicomTags.Modality).ShouldBe("CT");             // not listed: kept
        d.GetString(DicomTags.SopClassUid).ShouldBe("1.2.840.10008.5.1.4.1.1.2");
        d.Contains(DicomTags.PixelData).ShouldBeTrue();
        d.GetString(DicomTags.PatientIdentityRemoved).ShouldBe("YES");
        d.GetString(DicomTags.LongitudinalTemporalInformationModified).ShouldBe("REMOVED");
        d.GetSequence(DicomTags.DeidentificationMethodCodeSequence)!.Items.Select(i => i.GetString(DicomTags.CodeValue)).ShouldBe(["113100"]);
    }

    [Fact]
    public void Uids_RemappedConsistentlyUnderOneKey_DifferentUnderAnother_ReferencesFollow()
    {
        var first = Apply(new DeidentificationOptions());
        var again = Apply(new DeidentificationOptions());
        var otherKey = Apply(new DeidentificationOptions(), Enumerable.Repeat((byte)7, 32).ToArray());

        var study = first.GetString(DicomTags.StudyInstanceUid)!;
        study.ShouldStartWith("2.25.");
        study.Length.ShouldBeLessThanOrEqualTo(64);
        study.ShouldNotBe("1.2.3.4.5");
        again.GetString(DicomTags.StudyInstanceUid).ShouldBe(study);
        otherKey.GetString(DicomTags.StudyInstanceUid).ShouldNotBe(study);
        first.GetString(DicomTags.SopInstanceUid).ShouldNotBe(first.GetString(DicomTags.SeriesInstanceUid));
        var referenced = first.GetSequence(DicomTags.ReferencedImageSequence)!.Items[0].GetString(DicomTags.ReferencedSopInstanceUid);
        referenced.ShouldBe(new UidMapper(Key).Map("1.2.3.4.5.6.8"));
    }

    [Fact]
    public void Options_KeepDatesCharacteristicsAndCleanedDescriptors()
    {
        var d = Apply(new DeidentificationOptions { RetainLongitudinalTemporal = true, RetainPatientCharacteristics = true, CleanDescriptors = true });

        d.GetString(DicomTags.StudyDate).ShouldBe("20240312");
        d.GetString(DicomTags.StudyTime).ShouldBe("101500");
        d.GetString(DicomTags.PatientSex).ShouldBe("M");
        d.GetString(DicomTags.PatientAge).ShouldBe("054Y");
        d.GetString(DicomTags.StudyDescription).ShouldBe("Wrist of , MRN");
        d.GetString(DicomTags.PatientBirthDate).ShouldBe(""); // no option keeps the birth date
        d.GetString(DicomTags.LongitudinalTemporalInformationModified).ShouldBe("UNMODIFIED");
        d.GetSequence(DicomTags.DeidentificationMethodCodeSequence)!.Items.Select(i => i.GetString(DicomTags.CodeValue))
            .ShouldBe(["113100", "113106", "113108", "113105"]);
    }

    [Fact]
    public void Deidentified_WritesAndReadsBack()
    {
        var d = Apply(new DeidentificationOptions());
        using var buffer = new MemoryStream();
        DicomWriter.WriteFile(buffer, d, TransferSyntax.ExplicitVrLittleEndian);
        buffer.Position = 0;
        var file = DicomReader.Read(buffer);
        file.SopInstanceUid.ShouldBe(d.GetString(DicomTags.SopInstanceUid));
        file.Meta.GetString(DicomTags.MediaStorageSopInstanceUid).ShouldBe(d.GetString(DicomTags.SopInstanceUid));
        file.Dataset.GetString(DicomTags.PatientName).ShouldBe("SUBJ01");
    }
}
