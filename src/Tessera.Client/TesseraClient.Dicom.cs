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
}
