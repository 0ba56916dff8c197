using BenchmarkDotNet.Running;
using Tessera.Bench;

// bench/*.sh drive these commands; "benchmarks" hands the rest of the arguments to BenchmarkDotNet.
return args switch
{
    ["generate-ct", var directory, var count, .. var set] => SyntheticCt.Generate(directory, int.Parse(count, System.Globalization.CultureInfo.InvariantCulture),
        set is [var s] ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : 0),
    ["parse-headers", var list] => HeaderParsing.ParseAll(list),
    ["stow", var url, var list, var threads, var batch, .. var auth] => await StowLoad.RunAsync(url, list,
        int.Parse(threads, System.Globalization.CultureInfo.InvariantCulture), int.Parse(batch, System.Globalization.CultureInfo.InvariantCulture), auth.FirstOrDefault()),
    ["benchmarks", .. var rest] => RunBenchmarks(rest),
    _ => Usage(),
};

static int RunBenchmarks(string[] rest)
{
    BenchmarkSwitcher.FromAssembly(typeof(HeaderParsing).Assembly).Run(rest);
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("""
        usage: Tessera.Bench generate-ct DIR COUNT [SET]    synthetic 512x512 16-bit CT instances (about 512 KB each);
                                                             another SET number gives other patients, studies and UIDs
               Tessera.Bench parse-headers FILELIST          parse every file's header, print files/s
               Tessera.Bench stow URL FILELIST THREADS BATCH [USER:PASSWORD | token:TOKEN]
                                                             STOW-RS load, print instances/s
               Tessera.Bench benchmarks [BenchmarkDotNet arguments]
        """);
    return 2;
}
