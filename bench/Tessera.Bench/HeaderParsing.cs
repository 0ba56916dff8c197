using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Tessera.Dicom;
using Tessera.Dicom.IO;

namespace Tessera.Bench;

/// <summary>
/// Header parsing as the import and the index do it: every element up to Pixel Data, text decoded
/// for the attributes the index needs. The side-by-side script times <see cref="ParseAll"/> against dcmdump.
/// </summary>
[MemoryDiagnoser]
public class HeaderParsing
{
    private string[] _files = [];

    /// <summary>A file list (one path per line), from TESSERA_BENCH_FILES.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var list = Environment.GetEnvironmentVariable("TESSERA_BENCH_FILES")
            ?? throw new InvalidOperationException("Set TESSERA_BENCH_FILES to a file listing DICOM paths (bench/dicom_headers.sh makes one).");
        _files = File.ReadAllLines(list);
    }

    [Benchmark(Description = "headers of every listed file")]
    public int ParseHeaders() => ParseFiles(_files);

    public static int ParseAll(string list)
    {
        var files = File.ReadAllLines(list);
        var clock = Stopwatch.StartNew();
        var n = ParseFiles(files);
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"files={n} seconds={seconds:F3} files_per_second={n / seconds:F0}");
        return 0;
    }

    private static int ParseFiles(string[] files)
    {
        var n = 0;
        foreach (var path in files)
        {
            var file = DicomReader.ReadFile(path, DicomReadOptions.Headers);
            if (file.Dataset.GetString(DicomTags.PatientName) is not null && file.SopInstanceUid is not null)
                n++;
        }
        return n;
    }
}
