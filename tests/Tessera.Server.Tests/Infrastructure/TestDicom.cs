using Tessera.Dicom;
using Tessera.Dicom.IO;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>Small, valid DICOM objects made on the spot (a 4x4 16-bit CT image), for tests that need UIDs of their own.</summary>
public static class TestDicom
{
    public const string CtImageStorage = "1.2.840.10008.5.1.4.1.1.2";

    public static string NewUid() => "2.25." + new System.Numerics.BigInteger(Guid.NewGuid().ToByteArray(), isUnsigned: true);

    public static byte[] Create(string study, string series, string instance, string patientId = "P1", string patientName = "Test^Patient",
        string? accession = null, string instanceNumber = "1", string seriesNumber = "1", string modality = "CT", string? patientSex = null, string? birthDate = null)
    {
        var d = new DicomDataset();
        d.SetString(DicomTags.SpecificCharacterSet, "ISO_IR 192");
        d.SetString(DicomTags.SopClassUid, CtImageStorage);
        d.SetString(DicomTags.SopInstanceUid, instance);
        d.SetString(DicomTags.StudyDate, "20260102");
        d.SetString(DicomTags.StudyTime, "101500");
        if (accession is not null)
            d.SetString(DicomTags.AccessionNumber, accession);
        d.SetString(DicomTags.Modality, modality);
        d.SetString(DicomTags.PatientName, patientName);
        if (patientSex is not null)
            d.SetString(DicomTags.PatientSex, patientSex);
        if (birthDate is not null)
            d.SetString(DicomTags.PatientBirthDate, birthDate);
        d.SetString(DicomTags.PatientId, patientId);
        d.SetString(DicomTags.StudyInstanceUid, study);
        d.SetString(DicomTags.SeriesInstanceUid, series);
        d.SetString(DicomTags.SeriesNumber, seriesNumber);
        d.SetString(DicomTags.InstanceNumber, instanceNumber);
        d.SetUInt16(DicomTags.SamplesPerPixel, 1);
        d.SetString(DicomTags.PhotometricInterpretation, "MONOCHROME2");
        d.SetUInt16(DicomTags.Rows, 4);
        d.SetUInt16(DicomTags.Columns, 4);
        d.SetUInt16(DicomTags.BitsAllocated, 16);
        d.SetUInt16(DicomTags.BitsStored, 16);
        d.SetUInt16(DicomTags.HighBit, 15);
        d.SetUInt16(DicomTags.PixelRepresentation, 0);
        d.Set(new DicomValueElement(DicomTags.PixelData, DicomVr.OW, Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));
        using var output = new MemoryStream();
        DicomWriter.WriteFile(output, d, TransferSyntax.ExplicitVrLittleEndian);
        return output.ToArray();
    }

    /// <summary>A new CT instance's dataset alone (no meta information), as a C-STORE carries it, in explicit VR little endian.</summary>
    public static byte[] Dataset(string study, string series, string instance)
    {
        var file = DicomReader.Read(new MemoryStream(Create(study, series, instance)));
        using var output = new MemoryStream();
        DicomWriter.WriteDataset(output, file.Dataset, TransferSyntax.ExplicitVrLittleEndian);
        return output.ToArray();
    }
}
