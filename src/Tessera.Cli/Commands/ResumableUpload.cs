using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Tessera.Client;

namespace Tessera.Cli.Commands;

/// <summary>
/// One file uploaded through tus (<c>/api/uploads</c>) in chunks, each with its SHA-256 in
/// <c>Upload-Checksum</c>. The upload's URL is kept in a state file under
/// <c>~/.config/tessera/uploads/</c>, named by a hash of the server, the target, the file's path,
/// size, modification time and SHA-256, so that a run cut off (Ctrl-C, a network cut, a server
/// restart) resumes on the next run from the offset the server has; the state file goes when
/// the upload completes. A changed file has another key and starts afresh.
/// </summary>
internal static class ResumableUpload
{
    /// <summary>Files from this size on go through tus (TESSERA_RESUMABLE_BYTES overrides it; 0 sends every file so).</summary>
    public static long Threshold => ByteSetting("TESSERA_RESUMABLE_BYTES", 8L << 20, min: 0);

    /// <summary>Bytes per PATCH (TESSERA_CHUNK_BYTES overrides it): held in memory once per parallel upload.</summary>
    public static int ChunkBytes => (int)ByteSetting("TESSERA_CHUNK_BYTES", 8L << 20, min: 64 << 10, max: 256L << 20);

    public static string StateFolder => Path.Combine(CliConfig.StateDirectory, "uploads");

    /// <returns>The byte the upload resumed from (0 when it started afresh).</returns>
    public static async Task<long> UploadAsync(
        TesseraClient client, ArchiveTarget target, string resource, LocalFile file, string sha256, TransferProgress progress, CancellationToken ct)
    {
        var info = new FileInfo(file.FullPath);
        var statePath = Path.Combine(StateFolder, KeyOf(client, target, resource, file, info.LastWriteTimeUtc, sha256) + ".json");
        var url = ReadState(statePath);
        TusUploadState? state = url is null ? null : await client.GetUploadAsync(url, ct);
        if (url is not null && (state is null || state.Length != file.Size))
        {
            url = null;
            state = null;
        }
        if (state?.FileId is not null)
        {
            // Finished on an earlier run that was cut off before it could tidy up.
            File.Delete(statePath);
            progress.Skip(file.Size);
            return file.Size;
        }
        if (url is null)
        {
            var metadata = new Dictionary<string, string>
            {
                ["project"] = target.Project, ["subject"] = target.Subject, ["session"] = target.Session,
                ["resource"] = resource, ["path"] = file.ArchivePath,
            };
            if (target.Scan is not null)
            {
                metadata["scan"] = target.Scan;
            }
            url = await client.CreateUploadAsync(file.Size, metadata, ct);
            WriteState(statePath, url, file);
            state = new TusUploadState(0, file.Size, null);
        }
        var resumedFrom = state!.Offset;
        if (resumedFrom > 0)
        {
            progress.Note(FormattableString.Invariant(
                $"Resuming {file.ArchivePath} from byte {resumedFrom} of {file.Size} ({100 * resumedFrom / file.Size}% already on the server)."));
            progress.Skip(resumedFrom);
        }
        await SendAsync(client, url, file, resumedFrom, progress, ct);
        File.Delete(statePath);
        return resumedFrom;
    }

    private static async Task SendAsync(TesseraClient client, string url, LocalFile file, long offset, TransferProgress progress, CancellationToken ct)
    {
        var buffer = new byte[Math.Min(ChunkBytes, file.Size)];
        await using var stream = new FileStream(file.FullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous);
        var conflicts = 0;
        while (offset < file.Size)
        {
            stream.Position = offset;
            var read = await stream.ReadAtLeastAsync(buffer, (int)Math.Min(buffer.Length, file.Size - offset), throwOnEndOfStream: false, ct);
            if (read == 0)
            {
                throw new IOException($"{file.FullPath} is shorter than when the upload began; upload it again.");
            }
            try
            {
                var state = await client.AppendUploadAsync(url, offset, buffer.AsMemory(0, read), file.Size, ct);
                progress.Add(state.Offset - offset);
                offset = state.Offset;
            }
            catch (TesseraApiException e) when (e.Status == HttpStatusCode.Conflict && ++conflicts <= 30)
            {
                // The server's offset is not ours (its request from a run just killed may still be
                // finishing, or it lost the bytes): ask where it stands, and go on from there.
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
                var state = await client.GetUploadAsync(url, ct)
                    ?? throw new IOException("The server no longer has the upload; run the command again to start it afresh.");
                // Bytes the server has beyond ours arrived in an earlier run: done, but not sent now.
                if (state.FileId is not null)
                {
                    progress.Skip(file.Size - offset);
                    return;
                }
                progress.Skip(Math.Max(0, state.Offset - offset));
                offset = state.Offset;
            }
        }
    }

    private static string KeyOf(TesseraClient client, ArchiveTarget target, string resource, LocalFile file, DateTime modified, string sha256)
    {
        var key = string.Join('\n', client.BaseAddress, target.Project, target.OwnerPath, resource, file.ArchivePath, file.FullPath,
            file.Size.ToString(CultureInfo.InvariantCulture), modified.Ticks.ToString(CultureInfo.InvariantCulture), sha256);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32];
    }

    private static string? ReadState(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<UploadStateFile>(File.ReadAllText(path), JsonSerializerOptions.Web)?.Url : null;
        }
        catch (JsonException)
        {
            return null; // A state file cut off while written: start afresh.
        }
    }

    private static void WriteState(string path, string url, LocalFile file)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(new UploadStateFile(url, file.FullPath, file.Size, DateTime.UtcNow), JsonSerializerOptions.Web));
        File.Move(temp, path, overwrite: true);
    }

    private static long ByteSetting(string name, long fallback, long min, long max = long.MaxValue) =>
        long.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? Math.Clamp(value, min, max)
            : fallback;

    /// <summary>What a state file holds: the upload's URL, and for a person reading it, the file it belongs to.</summary>
    private sealed record UploadStateFile(string Url, string File, long Size, DateTime StartedAt);
}
