using Tessera.Dicom;
using Tessera.Dicom.IO;

namespace Tessera.Fuzz.Targets;

/// <summary>Compressed frames taken out of the corpus's DICOM files, as seeds for the codec targets.</summary>
internal static class DicomFrames
{
    private const int PerSyntax = 6;

    /// <summary>The first pixel data fragment of files in each of <paramref name="syntaxes"/>, cut to a seed's size.</summary>
    public static IEnumerable<Seed> FirstFragments(SeedCorpus corpus, string[] syntaxes)
    {
        var found = syntaxes.ToDictionary(s => s, _ => 0);
        foreach (var file in corpus.All().Where(f => f.Length < 32 << 20).OrderBy(f => f.Length))
        {
            if (!DicomReader.LooksLikeDicomFile(file.FullName))
                continue;
            Seed? seed = null;
            try
            {
                var dicom = DicomReader.ReadFile(file.FullName, DicomReadOptions.Default with { BulkDataThreshold = 4096 });
                if (!found.TryGetValue(dicom.Syntax.Uid, out var count) || count >= PerSyntax)
                    continue;
                if (dicom.Dataset[DicomTags.PixelData] is DicomFragments { Fragments.Count: > 0 } fragments)
                {
                    var bytes = fragments.Fragments[0].Bytes;
                    seed = new Seed(file.Name + ".frame", bytes[..Math.Min(bytes.Length, SeedCorpus.MaxSeedBytes)].ToArray());
                    found[dicom.Syntax.Uid] = count + 1;
                }
            }
            catch (DicomException)
            {
                // The corpus holds deliberately broken files; they seed the dicom target, not this one.
            }
            if (seed is not null)
                yield return seed;
        }
    }
}
