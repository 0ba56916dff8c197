using Shouldly;
using Tessera.Dicom.Dictionary;
using Tessera.Dicom.IO;

namespace Tessera.Dicom.Tests.Corpus;

/// <summary>Every DICOM file of the corpus reads, and what we read agrees with the manifest (written by pydicom).</summary>
public sealed class CorpusReadingTests
{
    /// <summary>Files cut short on purpose: reading them whole must fail with a clear truncation error; their headers still read.</summary>
    public static readonly IReadOnlyDictionary<string, string> Truncated = new Dictionary<string, string>
    {
        ["dcm4che/3gb-bulk-data-truncated"] = "pixel data claims 3 GB in a 100 KB file",
    };

    /// <summary>Files too broken to read, which we refuse with a DicomException (dcmtk refuses them too).</summary>
    public static readonly IReadOnlyDictionary<string, string> Refused = new Dictionary<string, string>
    {
        ["fo-dicom/GH626.dcm"] = "a private sequence in an implicit VR file claims 256 bytes, holds 260 of explicit VR content, and the next element starts inside it",
    };

    /// <summary>Where we and the manifest's pydicom disagree, and why we are right.</summary>
    public static readonly IReadOnlyDictionary<string, string> ManifestDisagreements = new Dictionary<string, string>
    {
        ["fo-dicom/GH1376.dcm"] = "two meta groups; the first (dcmtk reads it too) says JPEG Lossless SV1 and the pixel data is JPEG; pydicom took the second's Explicit VR Little Endian",
    };

    public static TheoryData<string> DicomFiles()
    {
        var data = new TheoryData<string>();
        foreach (var entry in TestCorpus.DicomFiles)
            data.Add(entry.Path);
        if (data.Count == 0)
            data.Add("(corpus absent)");
        return data;
    }

    [Theory]
    [MemberData(nameof(DicomFiles))]
    public void ReadFile_CorpusFile_MatchesManifest(string path)
    {
        TestCorpus.RequireCorpus();
        var entry = TestCorpus.Manifest.Single(e => e.Path == path);
        var full = TestCorpus.File(path);
        if (Refused.ContainsKey(path))
        {
            Should.Throw<DicomException>(() => DicomReader.ReadFile(full)).Message.ShouldNotBeNullOrWhiteSpace();
            return;
        }
        if (entry.Details.StartsWith("dicom-unreadable", StringComparison.Ordinal))
        {
            // pydicom could not read these; we must either read them or refuse with a DicomException, never crash.
            try
            {
                DicomReader.ReadFile(full);
            }
            catch (DicomException e)
            {
                e.Message.ShouldNotBeNullOrWhiteSpace();
            }
            return;
        }

        if (Truncated.ContainsKey(path))
        {
            var error = Should.Throw<DicomTruncatedException>(() => DicomReader.ReadFile(full));
            error.Message.ShouldContain("ends early");
            return;
        }

        var file = DicomReader.ReadFile(full);
        file.Stopped.ShouldBeFalse();
        var fields = entry.Fields;
        if (fields.TryGetValue("TS", out var ts) && ts != "none(no-meta)" && !ManifestDisagreements.ContainsKey(path))
            Normalise(file.Syntax.Uid.StartsWith("1.2", StringComparison.Ordinal) && ts.StartsWith("1.2", StringComparison.Ordinal) ? file.Syntax.Uid : file.Syntax.Name)
                .ShouldBe(Normalise(ts), $"transfer syntax of {path}");
        if (fields.TryGetValue("SOP", out var sop))
        {
            var ours = file.Dataset.GetString(DicomTags.SopClassUid) ?? file.Meta.GetString(DicomTags.MediaStorageSopClassUid) ?? "";
            if (sop.StartsWith("1.", StringComparison.Ordinal))
                ours.ShouldBe(sop);
            else
                Normalise(DicomUids.Describe(ours)).ShouldBe(Normalise(SopNames.GetValueOrDefault(sop, sop)), $"SOP class of {path}");
        }
        Check(file, fields, "Modality", DicomTags.Modality);
        Check(file, fields, "Rows", DicomTags.Rows);
        Check(file, fields, "Columns", DicomTags.Columns);
        Check(file, fields, "NumberOfFrames", DicomTags.NumberOfFrames);
        Check(file, fields, "SamplesPerPixel", DicomTags.SamplesPerPixel);
        Check(file, fields, "BitsAllocated", DicomTags.BitsAllocated);
        Check(file, fields, "PhotometricInterpretation", DicomTags.PhotometricInterpretation);
    }

    [Theory]
    [MemberData(nameof(DicomFiles))]
    public void ReadFile_HeadersOnly_StopsBeforePixelDataAndAgrees(string path)
    {
        TestCorpus.RequireCorpus();
        var entry = TestCorpus.Manifest.Single(e => e.Path == path);
        if (entry.Details.StartsWith("dicom-unreadable", StringComparison.Ordinal) || Refused.ContainsKey(path))
            return;
        var full = TestCorpus.File(path);
        var headers = DicomReader.ReadFile(full, DicomReadOptions.Headers);
        headers.Dataset.Contains(DicomTags.PixelData).ShouldBeFalse();
        if (Truncated.ContainsKey(path))
        {
            // The header ends before the truncation: read on to the end, the same file fails.
            Should.Throw<DicomTruncatedException>(() => DicomReader.ReadFile(full));
            return;
        }
        var whole = DicomReader.ReadFile(full);
        foreach (var element in headers.Dataset)
            whole.Dataset.Contains(element.Tag).ShouldBeTrue();
        headers.Dataset.GetString(DicomTags.SopInstanceUid).ShouldBe(whole.Dataset.GetString(DicomTags.SopInstanceUid));
    }

    /// <summary>Retired SOP classes that pydicom and dcmtk name differently.</summary>
    private static readonly Dictionary<string, string> SopNames = new()
    {
        ["Detail SR Storage - Trial"] = "DraftSRDetailStorage",
    };

    private static void Check(DicomFile file, IReadOnlyDictionary<string, string> fields, string name, DicomTag tag)
    {
        if (!fields.TryGetValue(name, out var expected))
            return;
        var ours = file.Dataset.GetStrings(tag);
        string.Join('\\', ours).ShouldBe(expected, $"{name} of {file.Dataset.GetString(DicomTags.SopInstanceUid)}");
    }

    private static string Normalise(string name) =>
        new string(name.Where(char.IsLetterOrDigit).ToArray()).ToUpperInvariant().Replace("AND", "", StringComparison.Ordinal)
            .Replace("SOPCLASS", "", StringComparison.Ordinal);
}
