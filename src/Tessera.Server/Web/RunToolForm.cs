using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tessera.Archive.Access;
using Tessera.Pipelines.Jobs;
using Tessera.Pipelines.Tools;
using Tessera.Pipelines.Tools.Boutiques;

namespace Tessera.Server.Web;

/// <summary>A tool the run dialog offers, with the inputs it asks for.</summary>
public sealed record RunnableTool(string Key, string? Description, IReadOnlyList<BoutiquesInput> Inputs);

/// <summary>The run dialog of a session or scan page: the project's runnable tools, and the target they run on.</summary>
public sealed record RunToolArea(string Target, IReadOnlyList<RunnableTool> Tools);

/// <summary>Builds the run dialog and reads what it sends: one field per input of the chosen tool, named <c>in.N.id</c>.</summary>
public static class RunToolForm
{
    public static async Task<RunToolArea> LoadAsync(ToolService tools, Caller caller, string project, string target, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tools);
        var list = new List<RunnableTool>();
        foreach (var (tool, _) in await tools.ListAsync(caller, project, includeDeprecated: false, ct))
        {
            var definition = await DescriptorReader.ReadAsync(tool.Descriptor);
            list.Add(new RunnableTool($"{tool.Name}@{tool.Version}", tool.Description, definition.Descriptor.Inputs));
        }
        return new RunToolArea(target, list);
    }

    /// <summary>Submits the dialog's job; returns the job page to go to.</summary>
    public static async Task<string> SubmitAsync(JobService jobs, Caller caller, string project, RunToolArea area, IFormCollection form, string? key, int? timeout, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        var view = await jobs.SubmitAsync(caller, project, new JobRequest(key ?? "", area.Target, Inputs(form, area, key), timeout), ct);
        return WebPaths.Job(project, view.Job.Id);
    }

    /// <summary>The chosen tool's inputs as the job's JSON: numbers as numbers, flags as booleans, lists split at commas; empty fields left out.</summary>
    public static JsonElement Inputs(IFormCollection form, RunToolArea area, string? key)
    {
        ArgumentNullException.ThrowIfNull(form);
        ArgumentNullException.ThrowIfNull(area);
        var index = area.Tools.ToList().FindIndex(t => t.Key == key);
        var values = new JsonObject();
        if (index < 0)
            return JsonSerializer.SerializeToElement(values);
        foreach (var input in area.Tools[index].Inputs)
        {
            var raw = form[$"in.{index}.{input.Id}"].ToString().Trim();
            if (input.Type == "Flag")
            {
                if (raw.Length > 0)
                    values[input.Id] = true;
                continue;
            }
            if (raw.Length == 0)
                continue;
            var parts = input.List ? raw.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : [raw];
            var nodes = parts.Select(part => input.Type == "Number" && double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
                ? JsonValue.Create(n) : (JsonNode)JsonValue.Create(part)).ToArray();
            values[input.Id] = input.List ? new JsonArray(nodes) : nodes[0];
        }
        return JsonSerializer.SerializeToElement(values);
    }
}
