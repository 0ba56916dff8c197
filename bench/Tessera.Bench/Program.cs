using BenchmarkDotNet.Running;
using Tessera.Bench;

// bench/*.sh drive these commands; "benchmarks" hands the rest of the arguments to BenchmarkDotNet.
return args switch
{
    ["generate-ct", var directory, var count, .. var rest] => SyntheticCt.Generate(directory, Number(count),
        rest is [var set, ..] ? Number(set) : 0, rest is [_, var rows] ? Number(rows) : 512),
    ["parse-headers", var list] => HeaderParsing.ParseAll(list),
    ["stow", var url, var list, var threads, var batch, .. var auth] => await StowLoad.RunAsync(url, list,
        Number(threads), Number(batch), auth.FirstOrDefault()),
    ["get", var url, var accept, var count, var threads, .. var auth] => await GetLoad.RunAsync(url, accept, Number(count),
        Number(threads), auth.FirstOrDefault()),
    ["benchmarks", .. var rest] => RunBenchmarks(rest),
    _ => Usage(),
};

static int Number(string text) => int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

static int RunBenchmarks(string[] rest)
{
    BenchmarkSwitcher.FromAssembly(typeof(HeaderParsing).Assembly).Run(rest);
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("""
        usage: Tessera.Bench generate-ct DIR COUNT [SET [ROWS]]
                                                             synthetic 512x512 16-bit CT instances (about 512 KB each);
                                                             another SET number gives other patients, studies and UIDs,
                                                             ROWS smaller images (ROWS x ROWS)
               Tessera.Bench parse-headers FILELIST          parse every file's header, print files/s
               Tessera.Bench stow URL FILELIST THREADS BATCH [USER:PASSWORD | token:TOKEN]
                                                             STOW-RS load, print instances/s
               Tessera.Bench get URL ACCEPT COUNT THREADS [USER:PASSWORD | token:TOKEN]
                                                             GET load (DICOMweb retrieval), print requests/s
               Tessera.Bench benchmarks [BenchmarkDotNet arguments]
        """);
    return 2;
}
