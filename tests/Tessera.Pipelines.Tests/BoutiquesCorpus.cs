namespace Tessera.Pipelines.Tests;

/// <summary>Descriptors written by the Boutiques authors, from the shared test corpus (../shared/testdata, or TESSERA_TESTDATA).</summary>
public static class BoutiquesCorpus
{
    private static readonly Lazy<string?> s_root = new(() =>
    {
        var configured = Environment.GetEnvironmentVariable("TESSERA_TESTDATA");
        if (!string.IsNullOrEmpty(configured))
            return Directory.Exists(configured) ? Path.Combine(configured, "boutiques") : null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Tessera.slnx")))
            {
                var candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "testdata", "boutiques"));
                return Directory.Exists(candidate) ? candidate : null;
            }
        }
        return null;
    });

    public const string FslBet = "schema/examples/fsl_bet/fsl_bet.json";
    public const string Example2 = "schema/examples/example2/example2.json";
    public const string InvalidGroups = "tests/validator/invalid_groups.json";
    public const string InvalidJson = "tests/validator/invalid_json.json";
    public const string UnknownKeys = "tests/validator/invalid.json";

    /// <summary>The descriptors under schema/examples (not their invocations).</summary>
    public static TheoryData<string> SchemaExamples => new(
        "schema/examples/example1/example1_docker.json", Example2, "schema/examples/example3/example3.json", FslBet);

    public static string Read(string relative)
    {
        if (s_root.Value is null)
            Assert.Skip("the test corpus is not on this machine (set TESSERA_TESTDATA or put it at ../shared/testdata)");
        return File.ReadAllText(Path.Combine(s_root.Value, relative));
    }
}
