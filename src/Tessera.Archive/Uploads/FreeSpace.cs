namespace Tessera.Archive.Uploads;

/// <summary>Refuses what would fill the disk: a file is taken only if this much stays free beyond it.</summary>
public static class FreeSpace
{
    private const long Margin = 64L << 20;

    /// <summary>Throws 507 (insufficient storage) when <paramref name="bytes"/> do not fit in <paramref name="directory"/>'s file system.</summary>
    /// <param name="refusal">The message, given the free and the needed mebibytes.</param>
    public static void Require(string directory, long bytes, Func<long, long, string> refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        var free = new DriveInfo(directory).AvailableFreeSpace;
        if (bytes > free - Margin)
            throw TesseraException.InsufficientStorage(refusal(free >> 20, bytes >> 20));
    }
}
