using System.Diagnostics;

namespace Tessera.Imaging.Tests.Dicom;

/// <summary>dcmtk's decompressors (dcmdjpeg, dcmdrle, dcmdjpls), an independent decoder to check ours against; required under CI.</summary>
internal static class DcmtkDecompressors
{
    /// <summary>Decompresses <paramref name="input"/> to explicit VR little endian; null when dcmtk cannot.</summary>
    /// <remarks>dcmdjpeg converts colour as libjpeg guesses it (+cg: JFIF or Adobe markers), as TurboJPEG does.</remarks>
    public static string? Decompress(string tool, string input, string output)
    {
        string[] arguments = tool == "dcmdjpeg" ? ["-q", "+cg", input, output] : ["-q", input, output];
        var start = new ProcessStartInfo(Dcmtk.Tool(tool), arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(120_000))
        {
            process.Kill();
            throw new TimeoutException($"{tool} did not finish on {input}");
        }
        _ = stderr.Result;
        return process.ExitCode == 0 && File.Exists(output) ? output : null;
    }
}
