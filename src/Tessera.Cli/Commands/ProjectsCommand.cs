using System.CommandLine;
using Tessera.Client;

namespace Tessera.Cli.Commands;

/// <summary><c>tessera projects</c>: the projects you may read (yours and public ones; every project for administrators).</summary>
internal static class ProjectsCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array (for scripts)." };
        var command = new Command("projects", "List the projects you may read, with your role (all projects for administrators).") { json };
        command.SetAction((result, ct) => CommandErrors.RunAsync(async () =>
        {
            using var client = CommandErrors.Connect();
            var projects = await TesseraClient.AllPagesAsync(offset => client.ListProjectsAsync(offset, ct: ct));
            Listing.Print(result.GetValue(json), projects, ["ID", "NAME", "VISIBILITY", "ROLE"],
                p => [p.Id, p.Name, Listing.Enum(p.Visibility), p.Role is { } role ? Listing.Enum(role) : "-"]);
            return ExitCodes.Success;
        }));
        return command;
    }
}
