namespace Tessera.Fuzz;

/// <summary>Writes a target's starting inputs to a folder, for afl-fuzz -i.</summary>
public static class SeedCommand
{
    public static int Run(FuzzTarget target, string output)
    {
        Directory.CreateDirectory(output);
        var corpus = SeedCorpus.Find();
        if (corpus.Root is null)
            Console.Error.WriteLine("tessera-fuzz: the test corpus is not on this machine (TESSERA_TESTDATA or ../shared/testdata): hand-made seeds only");
        var written = 0;
        foreach (var seed in target.Seeds(corpus))
        {
            // Flat, unique names: corpus paths repeat file names across folders.
            var name = $"{written:D3}-{string.Concat(seed.Name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_'))}";
            File.WriteAllBytes(Path.Combine(output, name[..Math.Min(name.Length, 100)]), seed.Bytes);
            written++;
        }
        Console.WriteLine($"seeds {target.Name}: {written} files in {output}");
        return written > 0 ? 0 : 1;
    }
}
