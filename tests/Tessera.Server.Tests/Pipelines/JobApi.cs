using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Shouldly;
using Tessera.Client;
using Tessera.Client.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Pipelines;

/// <summary>Tools, jobs and assessments driven over HTTP, as a client would.</summary>
public static class JobApi
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    /// <summary>A descriptor for a bash tool: the script is the command line; outputs and custom keys as given.</summary>
    public static JsonObject Tool(string name, string script, string? assessmentType = null, params string[] outputs)
    {
        var descriptor = new JsonObject
        {
            ["name"] = name,
            ["tool-version"] = "1.0",
            ["description"] = $"test tool {name}",
            ["schema-version"] = "0.5",
            ["shell"] = "/bin/bash",
            ["command-line"] = script,
            // The schema wants at least one input; this one reaches the tool only through the job's record.
            ["inputs"] = new JsonArray(new JsonObject { ["id"] = "label", ["name"] = "Label", ["type"] = "String", ["optional"] = true }),
        };
        if (outputs.Length > 0)
        {
            descriptor["output-files"] = new JsonArray(outputs.Select((o, i) => (JsonNode)new JsonObject
            {
                ["id"] = $"out{i}", ["name"] = o, ["path-template"] = $"output/{o}",
            }).ToArray());
        }
        if (assessmentType is not null)
            descriptor["custom"] = new JsonObject { ["tessera:assessmentType"] = assessmentType };
        return descriptor;
    }

    public static async Task<string> RegisterAsync(HttpClient admin, JsonObject descriptor)
    {
        using var response = await admin.PostAsync("api/tools", new StringContent(descriptor.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<ToolDto>(s_json))!.Id;
    }

    public static async Task<JobDto> SubmitAsync(HttpClient http, string project, string tool, string target, object? body = null)
    {
        var request = new JsonObject { ["tool"] = tool, ["target"] = target };
        if (body is not null)
        {
            foreach (var (key, value) in JsonSerializer.SerializeToNode(body, s_json)!.AsObject())
                request[key] = value?.DeepClone();
        }
        using var response = await http.PostAsync($"api/projects/{project}/jobs", HttpAssertions.Json(request.ToJsonString()));
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JobDto>(s_json))!;
    }

    public static async Task<JobDto> GetAsync(HttpClient http, Guid job) =>
        (await http.GetFromJsonAsync<JobDto>($"api/jobs/{job}", s_json))!;

    /// <summary>Waits until the job has ended (or is in <paramref name="state"/>), and returns it.</summary>
    public static Task<JobDto> WaitAsync(HttpClient http, Guid job, string? state = null, int seconds = 60) =>
        Poll.UntilAsync(() => GetAsync(http, job),
            j => state is null ? j.State is "complete" or "failed" or "cancelled" : j.State == state,
            state is null ? $"job {job} ended" : $"job {job} is {state}", TimeSpan.FromSeconds(seconds));

    public static Task<string> LogAsync(HttpClient http, Guid job, string query = "") => http.GetStringAsync($"api/jobs/{job}/log{query}");

    /// <summary>A private project owned by a new user, with subject S, session E and scan 1, and a member.</summary>
    public static async Task<(string Project, string Owner, string Member)> ProjectAsync(TestServer server)
    {
        var owner = await server.CreateUserAsync();
        var member = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(owner);
        using var client = new TesseraClient(server.Http(owner));
        await client.SetMemberAsync(project, member, Role.Member);
        await client.PutEntityAsync(project, "subjects/S");
        await client.PutEntityAsync(project, "subjects/S/sessions/E");
        await client.PutEntityAsync(project, "subjects/S/sessions/E/scans/1");
        return (project, owner, member);
    }

    /// <summary>
    /// The host's real uid of the tool's process started as <c>sh -c 'sleep N; true' MARKER</c> (read from
    /// /proc as the host sees it: inside a sandbox the tool's own view is of its namespace). The
    /// launchers around it (prlimit, podman) hold the marker too, quoted: they do not match.
    /// </summary>
    public static Task<long> HostUidOfAsync(string marker) => Poll.UntilAsync(() => Task.FromResult(
            Directory.EnumerateDirectories("/proc").Select(d => (Dir: d, Cmd: Read(Path.Combine(d, "cmdline"))))
                .Where(p => p.Cmd.StartsWith("sh -c sleep ", StringComparison.Ordinal) && p.Cmd.Contains("; true ", StringComparison.Ordinal) && p.Cmd.TrimEnd().EndsWith(marker, StringComparison.Ordinal))
                .Select(p => Read(Path.Combine(p.Dir, "status")).Split('\n').FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal)))
                .Where(l => l is not null)
                .Select(l => long.Parse(l!.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture))
                .DefaultIfEmpty(-1).First()),
        uid => uid >= 0, $"a process with {marker} runs", TimeSpan.FromSeconds(60));

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path).Replace('\0', ' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
