using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Tessera.Client;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera ls [P[/S[/E[/N]]]]</c>: without a path the projects you may read; with one, the
/// subjects, sessions or scans below it and then its own files (<c>RESOURCE/path</c>, size,
/// SHA-256). Listings are read page by page as the API serves them.
/// </summary>
internal static class LsCommand
{
    public static Command Create()
    {
        var path = new Argument<string?>("path") { Description = "PROJECT[/SUBJECT[/SESSION[/SCAN]]]; omitted: your projects.", Arity = ArgumentArity.ZeroOrOne };
        var longFormat = new Option<bool>("--long", "-l") { Description = "More columns: ids, dates, full SHA-256, media types." };
        var json = new Option<bool>("--json") { Description = "Print a JSON array, each item with its \"kind\" (project, subject, session, scan, file)." };
        var command = new Command("ls", "List projects, or the subjects, sessions, scans and files under a path.") { path, longFormat, json };
        command.SetAction((result, ct) => CommandErrors.RunAsync(async () =>
        {
            using var client = CommandErrors.Connect();
            var value = result.GetValue(path);
            var rows = string.IsNullOrEmpty(value)
                ? await ProjectsAsync(client, ct)
                : await UnderAsync(client, ArchivePath.Parse(value), ct);
            Print(rows, result.GetValue(longFormat), result.GetValue(json));
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>One line of a listing: its kind, the short columns, the long ones, and the object for --json.</summary>
    private sealed record Row(string Kind, string[] Short, string[] Long, object Json);

    private static async Task<List<Row>> ProjectsAsync(TesseraClient client, CancellationToken ct)
    {
        var projects = await TesseraClient.AllPagesAsync(offset => client.ListProjectsAsync(offset, ct: ct));
        return projects.Select(p => new Row("project",
            [p.Id, Listing.Enum(p.Visibility), p.Role is { } role ? Listing.Enum(role) : "-", p.Name],
            [Date(p.CreatedAt), Date(p.UpdatedAt), p.Description ?? ""],
            new { kind = "project", p.Id, p.Name, p.Description, p.Visibility, p.Role, p.CreatedAt, p.UpdatedAt })).ToList();
    }

    private static async Task<List<Row>> UnderAsync(TesseraClient client, ArchivePath at, CancellationToken ct)
    {
        await at.EnsureExistsAsync(client, ct);
        var rows = new List<Row>();
        if (at.Subject is null)
        {
            var subjects = await TesseraClient.AllPagesAsync(offset => client.ListSubjectsAsync(at.Project, offset, ct: ct));
            rows.AddRange(subjects.Select(s => new Row("subject", ["subject", s.Label, s.Description ?? ""],
                [s.Id.ToString(), Date(s.CreatedAt), Date(s.UpdatedAt), s.Fields.ValueKind == JsonValueKind.Object ? s.Fields.GetRawText() : ""],
                new { kind = "subject", s.Label, s.Id, s.Description, s.Fields, s.CreatedAt, s.UpdatedAt })));
        }
        else if (at.Session is null)
        {
            var sessions = await TesseraClient.AllPagesAsync(offset => client.ListSessionsAsync(at.Project, at.Subject, offset, ct: ct));
            rows.AddRange(sessions.Select(s => new Row("session",
                ["session", s.Label, s.Type ?? "-", s.Date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "-", s.Description ?? ""],
                [s.Id.ToString(), Date(s.CreatedAt), Date(s.UpdatedAt)],
                new { kind = "session", s.Label, s.Id, s.Type, s.Date, s.Description, s.Fields, s.CreatedAt, s.UpdatedAt })));
        }
        else if (at.Scan is null)
        {
            var scans = await TesseraClient.AllPagesAsync(offset => client.ListScansAsync(at.Project, at.Subject, at.Session, offset, ct: ct));
            rows.AddRange(scans.Select(s => new Row("scan",
                ["scan", s.Label, s.Type ?? "-", s.Quality is { } q ? Listing.Enum(q) : "-", s.Description ?? ""],
                [s.Id.ToString(), Date(s.CreatedAt), Date(s.UpdatedAt)],
                new { kind = "scan", s.Label, s.Id, s.Type, s.Quality, s.Description, s.Fields, s.CreatedAt, s.UpdatedAt })));
        }
        foreach (var resource in await client.ListResourcesAsync(at.Project, at.OwnerPath, ct))
        {
            foreach (var file in await client.ListFilesAsync(at.Project, at.OwnerPath, resource.Label, ct))
            {
                rows.Add(new Row("file", ["file", Words.Bytes(file.Size), file.Sha256[..12], $"{resource.Label}/{file.Path}"],
                    [file.Sha256, file.MediaType, Date(file.UpdatedAt)],
                    new { kind = "file", resource = resource.Label, file.Path, file.Size, file.Sha256, file.MediaType, file.Id, file.CreatedAt, file.UpdatedAt, file.Url }));
            }
        }
        return rows;
    }

    private static void Print(List<Row> rows, bool longFormat, bool json)
    {
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(rows.Select(r => r.Json), TesseraClient.JsonOptions));
            return;
        }
        if (rows.Count == 0)
        {
            Console.Error.WriteLine("(empty)");
            return;
        }
        // Each kind is its own block of aligned columns, in the order listed (children, then files).
        foreach (var block in rows.GroupBy(r => r.Kind))
        {
            var cells = block.Select(r => longFormat ? [.. r.Short, .. r.Long] : r.Short).ToList();
            var widths = Enumerable.Range(0, cells.Max(c => c.Length)).Select(i => cells.Max(c => i < c.Length ? c[i].Length : 0)).ToArray();
            foreach (var line in cells)
            {
                Console.WriteLine(string.Join("  ", line.Select((c, i) => i == line.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd());
            }
        }
    }

    private static string Date(DateTime value) => value.ToUniversalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
