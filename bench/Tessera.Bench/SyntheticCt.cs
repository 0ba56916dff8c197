using System.Globalization;
using Tessera.Dicom;
using Tessera.Dicom.IO;

namespace Tessera.Bench;

/// <summary>
/// Writes deterministic synthetic CT instances: 512x512 16-bit pixels (512 KB), spread over 10 patients
/// x 5 studies x 4 series per 2,000, as a realistic ingest load for STOW-RS and C-STORE benchmarks.
/// Each set number has its own patients and UIDs (a warm-up set does not overlap the measured one).
/// Smaller images (<c>rows</c> x <c>rows</c>) make an index of many instances cheap to fill.
/// </summary>
internal static class SyntheticCt
{
    public static int Generate(string directory, int count, int set, int rows = 512)
    {
        var root = $"2.25.987654321{set}";
        Directory.CreateDirectory(directory);
        var pixels = new byte[rows * rows * 2];
        for (var i = 0; i < pixels.Length; i += 2)
            BitConverter.TryWriteBytes(pixels.AsSpan(i), (ushort)(i / 2 % 4096));
        for (var n = 0; n < count; n++)
        {
            var (patient, study, series) = (n / 200, n / 40, n / 10);
            var d = new DicomDataset();
            d.SetString(DicomTags.SpecificCharacterSet, "ISO_IR 100");
            d.SetString(DicomTags.SopClassUid, "1.2.840.10008.5.1.4.1.1.2");
            d.SetString(DicomTags.SopInstanceUid, $"{root}.3.{n}");
            d.SetString(DicomTags.StudyDate, "20260101");
            d.SetString(DicomTags.StudyTime, "120000");
            d.SetString(DicomTags.AccessionNumber, $"ACC{set}-{study:D5}");
            d.SetString(DicomTags.Modality, "CT");
            d.SetString(DicomTags.StudyDescription, "Synthetic chest CT");
            d.SetString(DicomTags.SeriesDescription, $"Axial {series % 4}");
            d.SetString(DicomTags.PatientName, $"Bench^Patient{set}-{patient:D3}");
            d.SetString(DicomTags.PatientId, $"BENCH{set}-{patient:D3}");
            d.SetString(DicomTags.PatientBirthDate, "19700101");
            d.SetString(DicomTags.PatientSex, "O");
            d.SetString(DicomTags.SliceThickness, "1.0");
            d.SetString(DicomTags.StudyInstanceUid, $"{root}.1.{study}");
            d.SetString(DicomTags.SeriesInstanceUid, $"{root}.2.{series}");
            d.SetString(DicomTags.StudyId, study.ToString(CultureInfo.InvariantCulture));
            d.SetString(DicomTags.SeriesNumber, (series % 4 + 1).ToString(CultureInfo.InvariantCulture));
            d.SetString(DicomTags.InstanceNumber, (n % 10 + 1).ToString(CultureInfo.InvariantCulture));
            d.SetString(DicomTags.ImagePositionPatient, $"0\\0\\{n % 10}");
            d.SetString(DicomTags.ImageOrientationPatient, "1\\0\\0\\0\\1\\0");
            d.SetUInt16(DicomTags.SamplesPerPixel, 1);
            d.SetString(DicomTags.PhotometricInterpretation, "MONOCHROME2");
            d.SetUInt16(DicomTags.Rows, (ushort)rows);
            d.SetUInt16(DicomTags.Columns, (ushort)rows);
            d.SetString(DicomTags.PixelSpacing, "0.7\\0.7");
            d.SetUInt16(DicomTags.BitsAllocated, 16);
            d.SetUInt16(DicomTags.BitsStored, 12);
            d.SetUInt16(DicomTags.HighBit, 11);
            d.SetUInt16(DicomTags.PixelRepresentation, 0);
            d.SetString(DicomTags.RescaleIntercept, "-1024");
            d.SetString(DicomTags.RescaleSlope, "1");
            d.Set(new DicomValueElement(DicomTags.PixelData, DicomVr.OW, pixels));
            using var output = File.Create(Path.Combine(directory, $"ct{n:D5}.dcm"));
            DicomWriter.WriteFile(output, d, TransferSyntax.ExplicitVrLittleEndian);
        }
        Console.WriteLine($"wrote {count} instances to {directory}");
        return 0;
    }
}
