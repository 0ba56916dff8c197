namespace Tessera.Dicom.Tests.Network;

/// <summary>dcmtk's command-line tools, required under CI (scripts/test.sh installs them).</summary>
internal static class Dcmtk
{
    public static string Tool(string name)
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
        if (found is not null)
            return found;
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"{name} (dcmtk) is required under CI; scripts/test.sh installs it.");
        Assert.Skip($"{name} (dcmtk) is not installed");
        return null!;
    }
}
