using System.Net.Http.Headers;
using System.Text.Json;
using Tessera.Client.Contracts;

namespace Tessera.Client;

public sealed partial class TesseraClient
{
    public Task<UserDto> GetMeAsync(CancellationToken ct = default) => SendAsync<UserDto>(HttpMethod.Get, "api/users/me", null, ct);

    public Task<UserDto> CreateUserAsync(CreateUserRequest request, CancellationToken ct = default) =>
        SendAsync<UserDto>(HttpMethod.Post, "api/users", request, ct);

    public Task<CreatedTokenDto> CreateTokenAsync(CreateTokenRequest request, CancellationToken ct = default) =>
        SendAsync<CreatedTokenDto>(HttpMethod.Post, "api/tokens", request, ct);

    public Task<ProjectDto> CreateProjectAsync(CreateProjectRequest request, CancellationToken ct = default) =>
        SendAsync<ProjectDto>(HttpMethod.Post, "api/projects", request, ct);

    public Task<ProjectDto> GetProjectAsync(string project, CancellationToken ct = default) =>
        SendAsync<ProjectDto>(HttpMethod.Get, $"api/projects/{Escape(project)}", null, ct);

    public Task SetMemberAsync(string project, string username, Role role, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, $"api/projects/{Escape(project)}/members/{Escape(username)}", new SetMemberRequest(role), ct);

    /// <summary>Creates or updates an entity at <paramref name="path"/> (e.g. <c>subjects/S1/sessions/E1</c>).</summary>
    public Task PutEntityAsync(string project, string path, EntityBody? body = null, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, $"api/projects/{Escape(project)}/{Escape(path)}", body ?? new EntityBody(), ct);

    public Task<SessionDto> GetSessionAsync(string project, string subject, string session, int offset = 0, CancellationToken ct = default) =>
        SendAsync<SessionDto>(HttpMethod.Get,
            $"api/projects/{Escape(project)}/subjects/{Escape(subject)}/sessions/{Escape(session)}?offset={offset}&limit=1000", null, ct);

    /// <summary>Resources of the entity at <paramref name="ownerPath"/> (empty for the project itself).</summary>
    public Task<List<ResourceDto>> ListResourcesAsync(string project, string ownerPath, CancellationToken ct = default) =>
        SendAsync<List<ResourceDto>>(HttpMethod.Get, $"api/projects/{Escape(project)}/{Prefix(ownerPath)}resources", null, ct);

    /// <summary>Every file of a resource, following pages; an absent resource has none.</summary>
    public async Task<List<FileDto>> ListFilesAsync(string project, string ownerPath, string resource, CancellationToken ct = default)
    {
        var all = new List<FileDto>();
        try
        {
            while (true)
            {
                var page = await SendAsync<PageDto<FileDto>>(HttpMethod.Get,
                    $"api/projects/{Escape(project)}/{Prefix(ownerPath)}resources/{Escape(resource)}/files?offset={all.Count}&limit=1000",
                    null, ct);
                all.AddRange(page.Items);
                if (page.Items.Count == 0 || all.Count >= page.Total)
                {
                    return all;
                }
            }
        }
        catch (TesseraApiException e) when (IsNotFound(e) && all.Count == 0 && e.Message.StartsWith("Resource", StringComparison.Ordinal))
        {
            return all;
        }
    }

    /// <summary>Streams <paramref name="content"/> into a file, declaring its SHA-256 so that the server verifies it.</summary>
    public async Task<FileDto> UploadFileAsync(
        string project, string ownerPath, string resource, string path, Stream content, string? sha256Hex = null,
        string? mediaType = null, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put,
            $"api/projects/{Escape(project)}/{Prefix(ownerPath)}resources/{Escape(resource)}/files/{Escape(path)}");
        request.Content = new StreamContent(content, 1 << 20);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType ?? "application/octet-stream");
        if (content.CanSeek)
        {
            request.Content.Headers.ContentLength = content.Length - content.Position;
        }
        if (sha256Hex is not null)
        {
            request.Content.Headers.Add("Content-Digest", $"sha-256=:{Convert.ToBase64String(Convert.FromHexString(sha256Hex))}:");
        }
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        await EnsureSuccessAsync(response, ct);
        return (await JsonSerializer.DeserializeAsync<FileDto>(await response.Content.ReadAsStreamAsync(ct), JsonOptions, ct))!;
    }

    /// <summary>
    /// Imports one file into a project (POST /api/projects/{p}/import): DICOM is sorted into
    /// subject/session/scan by its content; other files go to <paramref name="session"/> (SUBJECT/SESSION) when given.
    /// </summary>
    public async Task<ImportReportDto> ImportFileAsync(string project, string name, Stream content, string? session = null, CancellationToken ct = default)
    {
        var query = $"?name={Uri.EscapeDataString(name)}" + (session is null ? "" : $"&session={Uri.EscapeDataString(session)}");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/projects/{Escape(project)}/import{query}");
        request.Content = new StreamContent(content, 1 << 20);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        if (content.CanSeek)
        {
            request.Content.Headers.ContentLength = content.Length - content.Position;
        }
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        await EnsureSuccessAsync(response, ct);
        return (await JsonSerializer.DeserializeAsync<ImportReportDto>(await response.Content.ReadAsStreamAsync(ct), JsonOptions, ct))!;
    }

    /// <summary>Opens a file's content (<paramref name="url"/> as given in a <see cref="FileDto"/>); the caller disposes the response.</summary>
    public Task<HttpResponseMessage> OpenFileAsync(string url, CancellationToken ct = default) => OpenFileAsync(url, 0, ct);

    /// <summary>
    /// Opens a file's content from byte <paramref name="from"/> on (a <c>Range</c> request): the
    /// answer is 206 with the rest, or 200 with all of it when the server ignores the range.
    /// </summary>
    public async Task<HttpResponseMessage> OpenFileAsync(string url, long from, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        using var request = new HttpRequestMessage(HttpMethod.Get, url.TrimStart('/'));
        if (from > 0)
        {
            request.Headers.Range = new RangeHeaderValue(from, null);
        }
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        try
        {
            await EnsureSuccessAsync(response, ct);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static string Prefix(string ownerPath) => string.IsNullOrEmpty(ownerPath) ? "" : Escape(ownerPath) + "/";
}
