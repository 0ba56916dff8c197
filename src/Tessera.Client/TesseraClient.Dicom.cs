using System.Text.Json;
using Tessera.Client.Contracts;

namespace Tessera.Client;

/// <summary>The DICOM node's AE table and Tessera as a DICOM client of its nodes.</summary>
public sealed partial class TesseraClient
{
    public Task<List<DicomNodeDto>> ListDicomNodesAsync(CancellationToken ct = default) =>
        SendAsync<List<DicomNodeDto>>(HttpMethod.Get, "api/dicom/nodes", null, ct);

    public Task<DicomNodeDto> PutDicomNodeAsync(string aeTitle, PutDicomNodeRequest request, CancellationToken ct = default) =>
        SendAsync<DicomNodeDto>(HttpMethod.Put, $"api/dicom/nodes/{Escape(aeTitle)}", request, ct);

    public Task DeleteDicomNodeAsync(string aeTitle, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, $"api/dicom/nodes/{Escape(aeTitle)}", null, ct);

    public Task<DicomEchoResult> DicomEchoAsync(string aeTitle, CancellationToken ct = default) =>
        SendAsync<DicomEchoResult>(HttpMethod.Post, $"api/dicom/nodes/{Escape(aeTitle)}/echo", null, ct);

    /// <summary>The matches of a C-FIND as DICOM JSON objects.</summary>
    public Task<List<JsonElement>> DicomFindAsync(string aeTitle, DicomFindRequest request, CancellationToken ct = default) =>
        SendAsync<List<JsonElement>>(HttpMethod.Post, $"api/dicom/nodes/{Escape(aeTitle)}/find", request, ct);

    public Task<DicomSendReport> DicomSendAsync(string project, DicomSendRequest request, CancellationToken ct = default) =>
        SendAsync<DicomSendReport>(HttpMethod.Post, $"api/projects/{Escape(project)}/dicom/send", request, ct);

    public Task<DicomRetrieveReport> DicomRetrieveAsync(string project, DicomRetrieveRequest request, CancellationToken ct = default) =>
        SendAsync<DicomRetrieveReport>(HttpMethod.Post, $"api/projects/{Escape(project)}/dicom/retrieve", request, ct);

    /// <summary>
    /// DICOM media (a zip with a DICOMDIR) of the session or scan at <paramref name="ownerPath"/>
    /// (<c>subjects/S/sessions/E[/scans/N]</c>), or, with <paramref name="ownerPath"/> null, of what
    /// <paramref name="keys"/> (QIDO-RS matching keys) find in the project. The caller reads and disposes the response.
    /// </summary>
    public Task<HttpResponseMessage> OpenDicomMediaAsync(string project, string? ownerPath, IReadOnlyList<KeyValuePair<string, string>>? keys = null, CancellationToken ct = default)
    {
        var query = keys is { Count: > 0 } ? "?" + string.Join('&', keys.Select(k => $"{Uri.EscapeDataString(k.Key)}={Uri.EscapeDataString(k.Value)}")) : "";
        return OpenFileAsync($"api/projects/{Escape(project)}/{Prefix(ownerPath ?? "")}dicom-media{query}", ct);
    }
}
