using System.Net;
using Tessera.Client.Contracts;

namespace Tessera.Client;

/// <summary>Listings of the hierarchy, users and tokens, each one page at a time (offset and limit as the API pages).</summary>
public sealed partial class TesseraClient
{
    public Task<PageDto<ProjectDto>> ListProjectsAsync(int offset = 0, int limit = 1000, CancellationToken ct = default) =>
        SendAsync<PageDto<ProjectDto>>(HttpMethod.Get, $"api/projects?offset={offset}&limit={limit}", null, ct);

    public Task<PageDto<SubjectDto>> ListSubjectsAsync(string project, int offset = 0, int limit = 1000, CancellationToken ct = default) =>
        SendAsync<PageDto<SubjectDto>>(HttpMethod.Get, $"api/projects/{Escape(project)}/subjects?offset={offset}&limit={limit}", null, ct);

    public Task<PageDto<SessionDto>> ListSessionsAsync(string project, string subject, int offset = 0, int limit = 1000, CancellationToken ct = default) =>
        SendAsync<PageDto<SessionDto>>(HttpMethod.Get,
            $"api/projects/{Escape(project)}/subjects/{Escape(subject)}/sessions?offset={offset}&limit={limit}", null, ct);

    public Task<PageDto<ScanDto>> ListScansAsync(string project, string subject, string session, int offset = 0, int limit = 1000, CancellationToken ct = default) =>
        SendAsync<PageDto<ScanDto>>(HttpMethod.Get,
            $"api/projects/{Escape(project)}/subjects/{Escape(subject)}/sessions/{Escape(session)}/scans?offset={offset}&limit={limit}", null, ct);

    /// <summary>
    /// Every item of a paged listing: <paramref name="page"/> is called with the offset reached
    /// until the total is read (or a page comes back empty).
    /// </summary>
    public static async Task<List<T>> AllPagesAsync<T>(Func<int, Task<PageDto<T>>> page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var all = new List<T>();
        while (true)
        {
            var next = await page(all.Count);
            all.AddRange(next.Items);
            if (next.Items.Count == 0 || all.Count >= next.Total)
            {
                return all;
            }
        }
    }

    /// <summary>Whether the subject, session or scan at <paramref name="path"/> (e.g. <c>subjects/S1/sessions/E1</c>) exists.</summary>
    public async Task<bool> EntityExistsAsync(string project, string path, CancellationToken ct = default)
    {
        using var response = await _http.GetAsync($"api/projects/{Escape(project)}/{Escape(path)}?limit=1", HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        await EnsureSuccessAsync(response, ct);
        return true;
    }

    /// <summary>Creates the subject, session or scan at <paramref name="path"/>; true when it was created (201), false when it existed (200).</summary>
    public async Task<bool> CreateEntityAsync(string project, string path, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"api/projects/{Escape(project)}/{Escape(path)}")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new EntityBody(), options: JsonOptions),
        };
        using var response = await _http.SendAsync(request, ct);
        await EnsureSuccessAsync(response, ct);
        return response.StatusCode == HttpStatusCode.Created;
    }

    public Task<List<UserDto>> ListUsersAsync(CancellationToken ct = default) =>
        SendAsync<List<UserDto>>(HttpMethod.Get, "api/users", null, ct);

    public Task<UserDto> UpdateUserAsync(string username, UpdateUserRequest request, CancellationToken ct = default) =>
        SendAsync<UserDto>(HttpMethod.Patch, $"api/users/{Escape(username)}", request, ct);

    public Task<List<TokenDto>> ListTokensAsync(CancellationToken ct = default) =>
        SendAsync<List<TokenDto>>(HttpMethod.Get, "api/tokens", null, ct);

    public Task DeleteTokenAsync(Guid id, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, $"api/tokens/{id}", null, ct);
}
