using SharpFuzz;

namespace Tessera.Fuzz;

/// <summary>AFL++ mode: SharpFuzz's fork server hands each input to the target in a child process it restarts after a crash.</summary>
public static class FuzzCommand
{
    public static int Run(FuzzTarget target)
    {
        Fuzzer.OutOfProcess.Run(stream =>
        {
            var input = Read(stream);
            try
            {
                target.Run(input);
            }
            catch (Exception e) when (target.IsRefusal(e))
            {
                // The parser refused the input as it should: not a finding.
            }
        });
        return 0;
    }

    private static byte[] Read(Stream stream)
    {
        using var copy = new MemoryStream();
        var buffer = new byte[64 << 10];
        int read;
        while (copy.Length < FuzzTarget.MaxInputBytes && (read = stream.Read(buffer, 0, buffer.Length)) > 0)
            copy.Write(buffer, 0, read);
        return copy.Length > FuzzTarget.MaxInputBytes ? copy.ToArray()[..FuzzTarget.MaxInputBytes] : copy.ToArray();
    }
}
