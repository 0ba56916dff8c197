using System.Net.Http.Json;
using Tessera.Client.Contracts;

namespace Tessera.Client;

/// <summary>Tools, jobs and assessments.</summary>
public sealed partial class TesseraClient
{
    /// <summary>Registers a Boutiques descriptor (its JSON text as is): site-wide, or for <paramref name="project"/>.</summary>
    public async Task<ToolDto> RegisterToolAsync(string descriptorJson, string? project = null, CancellationToken ct = default)
    {
        using var content = new StringContent(descriptorJson, System.Text.Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(project is null ? "api/tools" : $"api/projects/{Escape(project)}/tools", content, ct);
        await EnsureSuccessAsync(response, ct);
        return (await response.Content.ReadFromJsonAsync<ToolDto>(JsonOptions, ct))!;
    }

    public Task<List<ToolDto>> ListToolsAsync(string? project = null, bool deprecated = false, CancellationToken ct = default) =>
        SendAsync<List<ToolDto>>(HttpMethod.Get,
            (project is null ? "api/tools" : $"api/projects/{Escape(project)}/tools") + (deprecated ? "?deprecated=true" : ""), null, ct);

    public Task<ToolDto> GetToolAsync(string tool, CancellationToken ct = default) =>
        SendAsync<ToolDto>(HttpMethod.Get, $"api/tools/{Uri.EscapeDataString(tool)}", null, ct);

    public Task<ToolDto> DeprecateToolAsync(string tool, DeprecateToolRequest body, string? project = null, CancellationToken ct = default) =>
        SendAsync<ToolDto>(HttpMethod.Post,
            (project is null ? "api/tools/" : $"api/projects/{Escape(project)}/tools/") + $"{Uri.EscapeDataString(tool)}/deprecation", body, ct);

    public Task<JobDto> SubmitJobAsync(string project, SubmitJobRequest body, CancellationToken ct = default) =>
        SendAsync<JobDto>(HttpMethod.Post, $"api/projects/{Escape(project)}/jobs", body, ct);

    public Task<JobDto> GetJobAsync(Guid job, CancellationToken ct = default) =>
        SendAsync<JobDto>(HttpMethod.Get, $"api/jobs/{job}", null, ct);

    public Task<PageDto<JobDto>> ListJobsAsync(string project, string? state = null, string? tool = null, string? target = null, CancellationToken ct = default)
    {
        var query = string.Join('&', new[] { ("state", state), ("tool", tool), ("target", target) }
            .Where(q => q.Item2 is not null).Select(q => $"{q.Item1}={Uri.EscapeDataString(q.Item2!)}"));
        return SendAsync<PageDto<JobDto>>(HttpMethod.Get, $"api/projects/{Escape(project)}/jobs{(query.Length > 0 ? "?" + query : "")}", null, ct);
    }

    public Task<JobDto> CancelJobAsync(Guid job, CancellationToken ct = default) =>
        SendAsync<JobDto>(HttpMethod.Post, $"api/jobs/{job}/cancel", null, ct);

    /// <summary>The job's log; with <paramref name="follow"/>, a stream that carries what the tool writes until the job ends.</summary>
    public async Task<Stream> OpenJobLogAsync(Guid job, bool follow, CancellationToken ct = default)
    {
        var response = await _http.GetAsync($"api/jobs/{job}/log{(follow ? "?follow=true" : "")}", HttpCompletionOption.ResponseHeadersRead, ct);
        try
        {
            await EnsureSuccessAsync(response, ct);
            return await response.Content.ReadAsStreamAsync(ct);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    // The calls of tessera job-run on a batch node, made with the job's own token.

    public Task<JobRunSpecDto> GetJobRunAsync(Guid job, CancellationToken ct = default) =>
        SendAsync<JobRunSpecDto>(HttpMethod.Get, $"api/jobs/{job}/run", null, ct);

    public async Task JobRunStartedAsync(Guid job, CancellationToken ct = default)
    {
        using var response = await _http.PostAsync($"api/jobs/{job}/run/started", null, ct);
        await EnsureSuccessAsync(response, ct);
    }

    /// <summary>Opens one of the job's input files (the caller disposes the response).</summary>
    public async Task<HttpResponseMessage> OpenJobInputAsync(Guid job, string path, CancellationToken ct = default)
    {
        var response = await _http.GetAsync($"api/jobs/{job}/run/inputs/{Escape(path)}", HttpCompletionOption.ResponseHeadersRead, ct);
        await EnsureSuccessAsync(response, ct);
        return response;
    }

    public async Task AppendJobLogAsync(Guid job, JobRunLogDto body, CancellationToken ct = default)
    {
        using var response = await _http.PostAsJsonAsync($"api/jobs/{job}/run/log", body, JsonOptions, ct);
        await EnsureSuccessAsync(response, ct);
    }

    /// <summary>Sends one file of the tool's output/ with its SHA-256 (the server checks it).</summary>
    public async Task PutJobOutputAsync(Guid job, string path, Stream content, string sha256, CancellationToken ct = default)
    {
        using var body = new StreamContent(content, 1 << 20);
        body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        body.Headers.TryAddWithoutValidation("Content-Digest", $"sha-256=:{Convert.ToBase64String(Convert.FromHexString(sha256))}:");
        using var response = await _http.PutAsync($"api/jobs/{job}/run/outputs/{Escape(path)}", body, ct);
        await EnsureSuccessAsync(response, ct);
    }

    public async Task ReportJobRunAsync(Guid job, JobRunResultDto body, CancellationToken ct = default)
    {
        using var response = await _http.PostAsJsonAsync($"api/jobs/{job}/run/result", body, JsonOptions, ct);
        await EnsureSuccessAsync(response, ct);
    }
}
