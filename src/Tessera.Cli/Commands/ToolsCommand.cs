using System.CommandLine;
using System.Globalization;
using Tessera.Client.Contracts;

namespace Tessera.Cli.Commands;

/// <summary><c>tessera tools add|list|show|deprecate</c>: the tool registry (Boutiques descriptors).</summary>
internal static class ToolsCommand
{
    private static readonly System.Text.Json.JsonSerializerOptions s_indented = new() { WriteIndented = true };

    public static Command Create() => new("tools", "Register, list, show and deprecate analysis tools (Boutiques descriptors).")
    {
        Add(), List(), Show(), Deprecate(),
    };

    private static Option<string?> ProjectOption(string description) => new("--project") { Description = description };

    private static Command Add()
    {
        var file = new Argument<FileInfo>("descriptor") { Description = "The Boutiques descriptor (JSON)." };
        var project = ProjectOption("Register it for this project only (you must own it); site-wide tools need an administrator.");
        var command = new Command("add", "Register a tool version (name@version from the descriptor; a version never changes).") { file, project };
        command.SetAction((result, ct) => CommandErrors.RunAsync(async () =>
        {
            var path = result.GetValue(file)!;
            if (!path.Exists)
                throw new UsageException($"{path.FullName} does not exist.");
            using var client = CommandErrors.Connect();
            var tool = await client.RegisterToolAsync(await File.ReadAllTextAsync(path.FullName, ct), result.GetValue(project), ct);
            Console.WriteLine($"Registered {tool.Id}{(tool.Project is null ? " (site-wide)" : $" for project {tool.Project}")}.");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command List()
    {
        var project = ProjectOption("The tools this project may run (site-wide ones and its own).");
        var deprecated = new Option<bool>("--deprecated") { Description = "Include deprecated versions." };
        var command = new Command("list", "List the tools you may see.") { project, deprecated };
        command.SetAction((result, ct) => CommandErrors.RunAsync(async () =>
        {
            using var client = CommandErrors.Connect();
            foreach (var tool in await client.ListToolsAsync(result.GetValue(project), result.GetValue(deprecated), ct))
            {
                Console.WriteLine(string.Join('\t', tool.Id, tool.Project ?? "(site)", tool.AssessmentType ?? "-",
                    tool.Deprecated ? "deprecated" : "", tool.Description ?? ""));
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Show()
    {
        var tool = new Argument<string>("tool") { Description = "name@version" };
        var command = new Command("show", "Show a tool version and its descriptor.") { tool };
        command.SetAction((result, ct) => CommandErrors.RunAsync(async () =>
        {
            using var client = CommandErrors.Connect();
            var found = await client.GetToolAsync(result.GetValue(tool)!, ct);
            Console.WriteLine($"{found.Id}{(found.Deprecated ? $" (deprecated{(found.DeprecationNote is null ? "" : $": {found.DeprecationNote}")})" : "")}");
            Console.WriteLine($"registered {found.CreatedAt.ToString("u", CultureInfo.InvariantCulture)}{(found.Project is null ? ", site-wide" : $" for project {found.Project}")}");
            Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(found.Descriptor, s_indented));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Deprecate()
    {
        var tool = new Argument<string>("tool") { Description = "name@version" };
        var note = new Option<string?>("--note") { Description = "Why, or what to use instead." };
        var undo = new Option<bool>("--undo") { Description = "Take the deprecation back." };
        var project = ProjectOption("The project whose own tool it is.");
        var command = new Command("deprecate", "Deprecate a tool version: it stays, with its jobs and results, but no new job may run it.") { tool, note, undo, project };
        command.SetAction((result, ct) => CommandErrors.RunAsync(async () =>
        {
            using var client = CommandErrors.Connect();
            var changed = await client.DeprecateToolAsync(result.GetValue(tool)!, new DeprecateToolRequest(!result.GetValue(undo), result.GetValue(note)), result.GetValue(project), ct);
            Console.WriteLine($"{changed.Id} is {(changed.Deprecated ? "deprecated" : "no longer deprecated")}.");
            return ExitCodes.Success;
        }));
        return command;
    }
}
