using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Tessera.Client.Contracts;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera dicom echo|send|find|move|nodes</c>: the server as a DICOM client of the nodes in its AE
/// table (the server opens the associations, with its own AE title), and the AE table itself.
/// </summary>
internal static class DicomCommand
{
    public static Command Create()
    {
        var root = new Command("dicom", "Talk DICOM with the nodes of the server's AE table, and manage the table.")
        {
            Echo(), Send(), Find(), Move(), Nodes(),
        };
        return root;
    }

    private static Command Echo()
    {
        var ae = new Argument<string>("ae") { Description = "The node's AE title (in the AE table)." };
        var command = new Command("echo", "C-ECHO a node.") { ae };
        command.SetAction((result, ct) => CommandErrors.RunAsync(async () =>
        {
            using var client = CommandErrors.Connect();
            var echo = await client.DicomEchoAsync(result.GetValue(ae)!, ct);
            Console.WriteLine($"{echo.AeTitle}: {Describe(echo.Status)} in {echo.Milliseconds.ToString("0.0", CultureInfo.InvariantCulture)} ms");
            return echo.Status == "0x0000" ? ExitCodes.Success : ExitCodes.Failure;
        }));
        return command;
    }

    private static Command Send()
    {
        var ae = new Argument<string>("ae") { Description = "The node's AE title." };
        var target = new Argument<string>("target") { Description = "PROJECT/SUBJECT/SESSION or PROJECT/SUBJECT/SESSION/SCAN." };
        var command = new Command("send", "C-STORE the DICOM instances of a session or scan to a node, each in its stored transfer syntax where the node takes it.")
            { ae, target };
        command.SetAction((result, ct) => CommandErrors.RunAsync(async () =>
        {
            var where = ArchiveTarget.Parse(result.GetValue(target)!, allowScan: true);
            using var client = CommandErrors.Connect();
            var report = await client.DicomSendAsync(where.Project, new DicomSendRequest(result.GetValue(ae)!, where.OwnerPath), ct);
            foreach (var failure in report.Failures)
                Console.Error.WriteLine($"{failure.SopInstanceUid}: {failure.Status} {failure.Reason}");
            Console.WriteLine($"Sent {Words.Count(report.Sent, "instance")}{(report.Failed > 0 ? $", {report.Failed} failed" : "")}.");
            return report.Failed == 0 ? ExitCodes.Success : ExitCodes.Failure;
        }));
        return command;
    }

    private static Command Find()
    {
        var ae = new Argument<string>("ae") { Description = "The node's AE title." };
        var (level, keys) = QueryOptions();
        var patientRoot = new Option<bool>("--patient-root", "-P") { Description = "Use the Patient Root model (default: Study Root)." };
        var json = new Option<bool>("--json") { Description = "Print the matches as DICOM JSON." };
        var command = new Command("find", "C-FIND a node: matching keys as -k Keyword=value, return keys as -k Keyword.") { ae, level, keys, patientRoot, json };
        command.SetAction((result, ct) => CommandErrors.RunAsync(async () =>
        {
            using var client = CommandErrors.Connect();
            var request = new DicomFindRequest(result.GetValue(level)!, result.GetValue(patientRoot) ? "patient" : "study", Keys(result.GetValue(keys)));
            var matches = await client.DicomFindAsync(result.GetValue(ae)!, request, ct);
            if (result.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(matches));
                return ExitCodes.Success;
            }
            var columns = request.Keys!.Keys.ToList();
            var table = new Table().AddColumns(columns.Select(c => new TableColumn(Markup.Escape(c))).ToArray());
            foreach (var match in matches)
                table.AddRow(columns.Select(c => Markup.Escape(Value(match, c))).ToArray());
            AnsiConsole.Write(table);
            Console.WriteLine($"{Words.Count(matches.Count, "match", "matches")}.");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Move()
    {
        var ae = new Argument<string>("ae") { Description = "The node's AE title." };
        var project = new Option<string>("--project", "-p") { Description = "The project to retrieve into.", Required = true };
        var (level, keys) = QueryOptions();
        var get = new Option<bool>("--get") { Description = "Retrieve by C-GET on the association instead of C-MOVE to the server." };
        var command = new Command("move", "Retrieve from a node into a project (C-MOVE to the server, or C-GET).") { ae, project, level, keys, get };
        command.SetAction((result, ct) => CommandErrors.RunAsync(async () =>
        {
            using var client = CommandErrors.Connect();
            var report = await client.DicomRetrieveAsync(result.GetValue(project)!, new DicomRetrieveRequest(result.GetValue(ae)!, result.GetValue(level)!,
                Keys(result.GetValue(keys)), result.GetValue(get) ? "get" : "move"), ct);
            Console.WriteLine($"{Describe(report.Status)}: {report.Completed} retrieved, {report.Failed} failed, {report.Warning} with warnings.");
            return report.Failed == 0 ? ExitCodes.Success : ExitCodes.Failure;
        }));
        return command;
    }

    private static Command Nodes()
    {
        var list = new Command("list", "List the AE table (administrators).");
        list.SetAction((_, ct) => CommandErrors.RunAsync(async () =>
        {
            using var client = CommandErrors.Connect();
            var table = new Table().AddColumns("AE title", "host", "port", "TLS", "allow", "project");
            foreach (var node in await client.ListDicomNodesAsync(ct))
                table.AddRow(Markup.Escape(node.AeTitle), Markup.Escape(node.Host), node.Port.ToString(CultureInfo.InvariantCulture), Markup.Escape(Transport(node)),
                    string.Join(',', node.Allow), Markup.Escape(node.Project ?? ""));
            AnsiConsole.Write(table);
            return ExitCodes.Success;
        }));
        var ae = new Argument<string>("ae") { Description = "The node's AE title." };
        var host = new Option<string>("--host") { Description = "Its host name or address.", Required = true };
        var port = new Option<int>("--port") { Description = "Its DICOM port.", Required = true };
        var allow = new Option<string>("--allow") { Description = "What it may ask of the server: echo,store,find,move,get.", DefaultValueFactory = _ => "echo" };
        var project = new Option<string?>("--project", "-p") { Description = "Where its stores to the server's AE title go, and what it may query and retrieve." };
        var tls = new Option<bool>("--tls") { Description = "Call it over DICOM TLS (its certificate must be trusted: the system's store or Dicom:Tls:TrustedCertificates)." };
        var serverName = new Option<string?>("--tls-server-name") { Description = "The name its TLS certificate carries, when it is not the host." };
        var put = new Command("put", "Add or replace a node of the AE table (administrators).") { ae, host, port, allow, project, tls, serverName };
        put.SetAction((result, ct) => CommandErrors.RunAsync(async () =>
        {
            using var client = CommandErrors.Connect();
            var node = await client.PutDicomNodeAsync(result.GetValue(ae)!, new PutDicomNodeRequest(result.GetValue(host)!, result.GetValue(port),
                result.GetValue(allow)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), result.GetValue(project),
                result.GetValue(tls), result.GetValue(serverName)), ct);
            Console.WriteLine($"{node.AeTitle} at {node.Host}:{node.Port} ({Transport(node)}), may {string.Join(", ", node.Allow)}{(node.Project is null ? "" : $", project {node.Project}")}.");
            return ExitCodes.Success;
        }));
        var removed = new Argument<string>("ae") { Description = "The node's AE title." };
        var delete = new Command("delete", "Remove a node from the AE table (administrators).") { removed };
        delete.SetAction((result, ct) => CommandErrors.RunAsync(async () =>
        {
            using var client = CommandErrors.Connect();
            await client.DeleteDicomNodeAsync(result.GetValue(removed)!, ct);
            Console.WriteLine($"Removed {result.GetValue(removed)}.");
            return ExitCodes.Success;
        }));
        return new Command("nodes", "The server's AE table.") { list, put, delete };
    }

    private static string Transport(DicomNodeDto node) =>
        !node.Tls ? "plain" : node.TlsServerName is { } name ? $"TLS, certificate for {name}" : "TLS";

    private static (Option<string> Level, Option<string[]> Keys) QueryOptions() => (
        new Option<string>("--level", "-L") { Description = "PATIENT, STUDY, SERIES or IMAGE.", DefaultValueFactory = _ => "STUDY" },
        new Option<string[]>("--key", "-k") { Description = "Keyword=value (matching) or Keyword (returned); keywords or tags (00100020).", AllowMultipleArgumentsPerToken = false });

    private static Dictionary<string, string> Keys(string[]? keys)
    {
        var parsed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in keys ?? [])
        {
            var equals = key.IndexOf('=', StringComparison.Ordinal);
            parsed[equals < 0 ? key : key[..equals]] = equals < 0 ? "" : key[(equals + 1)..];
        }
        return parsed;
    }

    /// <summary>A match's value for a keyword (or tag), from its DICOM JSON.</summary>
    private static string Value(JsonElement match, string key)
    {
        var tag = Tessera.Dicom.Dictionary.DicomDictionary.TryGetTag(key, out var known) ? known.ToHex() : key.ToUpperInvariant();
        if (!match.TryGetProperty(tag, out var element) || !element.TryGetProperty("Value", out var values))
            return "";
        return string.Join('\\', values.EnumerateArray().Select(v => v.ValueKind switch
        {
            JsonValueKind.Object when v.TryGetProperty("Alphabetic", out var name) => name.GetString() ?? "",
            JsonValueKind.String => v.GetString() ?? "",
            _ => v.GetRawText(),
        }));
    }

    /// <summary>A DIMSE status as a word and its code (PS3.7 C): "Success", "Warning (0xB000)", "Failure (0xA700)".</summary>
    internal static string Describe(string status)
    {
        if (!ushort.TryParse(status.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? status[2..] : status,
                NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
            return status;
        return code switch
        {
            0x0000 => "Success",
            0xFE00 => $"Cancelled ({status})",
            0xFF00 or 0xFF01 => $"Pending ({status})",
            0x0001 or 0x0107 or 0x0116 or (>= 0xB000 and <= 0xBFFF) => $"Warning ({status})",
            _ => $"Failure ({status})",
        };
    }
}
