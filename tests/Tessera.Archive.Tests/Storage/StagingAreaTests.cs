using System.Diagnostics;
using Shouldly;
using Tessera.Archive.Storage;

namespace Tessera.Archive.Tests.Storage;

/// <summary>
/// Owner folders of temporary files: a folder whose owner is gone goes at once, a live owner's never.
/// The foreign owner is a real process holding the lock (util-linux <c>flock</c>, the same flock(2)
/// lock that .NET takes for <see cref="FileShare.None"/>), killed with SIGKILL as in a crash.
/// </summary>
public sealed class StagingAreaTests : IDisposable
{
    private static readonly DateTime LongAgo = DateTime.UtcNow.AddDays(-1);
    private readonly string _parent = Directory.CreateTempSubdirectory("tessera-staging-").FullName;

    public void Dispose() => Directory.Delete(_parent, recursive: true);

    [Fact]
    public async Task SweepOrphans_OwnerKilled_ItsFolderGoesAtOnce_NotWhileItLived()
    {
        var area = StagingArea.Of(_parent);
        var (folder, staged) = ForeignOwner();
        using var owner = Process.Start(new ProcessStartInfo("flock", ["--exclusive", Path.Combine(folder, ".owner"), "sleep", "600"]))!;
        try
        {
            await UntilHeldAsync(Path.Combine(folder, ".owner"), owner);

            area.SweepOrphans(LongAgo).ShouldBe(0);
            File.Exists(staged).ShouldBeTrue("a live owner's file stays, however old");
        }
        finally
        {
            // The tree: flock's command inherits the locked descriptor, as a server's children would.
            owner.Kill(entireProcessTree: true);
            await owner.WaitForExitAsync();
        }

        area.SweepOrphans(LongAgo).ShouldBe(1);

        Directory.Exists(folder).ShouldBeFalse("the dead owner's folder went at once, though its file is new");
    }

    [Fact]
    public void SweepOrphans_NeverTouchesThisProcesssArea()
    {
        var area = StagingArea.Of(_parent);
        var mine = area.NewPath();
        File.WriteAllBytes(mine, [1]);
        File.SetLastWriteTimeUtc(mine, DateTime.UtcNow.AddDays(-30));

        area.SweepOrphans(DateTime.UtcNow).ShouldBe(0);

        File.Exists(mine).ShouldBeTrue();
        StagingArea.Of(_parent).ShouldBeSameAs(area);
    }

    [Fact]
    public void Of_MakesALockedOwnerFolder()
    {
        var area = StagingArea.Of(_parent);

        Path.GetFileName(area.Directory).ShouldStartWith(StagingArea.OwnerPrefix);
        area.LocksHold.ShouldBeTrue("locks are trusted on a local file system");
        Should.Throw<IOException>(() => new FileStream(Path.Combine(area.Directory, ".owner"), FileMode.Open, FileAccess.ReadWrite, FileShare.None));
    }

    [Fact]
    public void SweepOrphans_AFolderHalfMadeByACrashedStart_GoesOnceOld()
    {
        var area = StagingArea.Of(_parent);
        var young = Directory.CreateDirectory(Path.Combine(_parent, ".new-" + Guid.NewGuid().ToString("N"))).FullName;
        var old = Directory.CreateDirectory(Path.Combine(_parent, ".new-" + Guid.NewGuid().ToString("N"))).FullName;
        File.WriteAllBytes(Path.Combine(old, ".owner"), []);
        Directory.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddDays(-2));

        area.SweepOrphans(LongAgo);

        Directory.Exists(old).ShouldBeFalse();
        Directory.Exists(young).ShouldBeTrue("it may be a process starting now");
    }

    /// <summary>An owner folder as another process makes it, with one staged file written just now.</summary>
    private (string Folder, string Staged) ForeignOwner()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_parent, StagingArea.OwnerPrefix + Guid.NewGuid().ToString("N"))).FullName;
        File.WriteAllText(Path.Combine(folder, ".owner"), "host=elsewhere\n");
        var staged = Path.Combine(folder, Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(staged, new byte[4096]);
        return (folder, staged);
    }

    private static async Task UntilHeldAsync(string path, Process owner)
    {
        for (var i = 0; i < 500; i++)
        {
            owner.HasExited.ShouldBeFalse("flock is running");
            try
            {
                using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                return;
            }
            await Task.Delay(10);
        }
        throw new TimeoutException("the owner process never took its lock");
    }
}
