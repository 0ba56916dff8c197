using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Tessera.Client;

/// <summary>Where a tus upload stands on the server.</summary>
/// <param name="FileId">Set once the last byte is in and the file is stored.</param>
public sealed record TusUploadState(long Offset, long Length, Guid? FileId);

/// <summary>The tus 1.0 resumable uploads of <c>/api/uploads</c> (see docs/api.md).</summary>
public sealed partial class TesseraClient
{
    private const string TusVersion = "1.0.0";

    /// <summary>
    /// Creates an upload of <paramref name="length"/> bytes; <paramref name="metadata"/> names its
    /// target (<c>project</c>, <c>subject</c>, <c>session</c>, <c>scan</c>, <c>resource</c>, <c>path</c>).
    /// Returns the upload's URL, relative to the server root.
    /// </summary>
    public async Task<string> CreateUploadAsync(long length, IReadOnlyDictionary<string, string> metadata, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        using var request = TusRequest(HttpMethod.Post, "api/uploads");
        request.Headers.Add("Upload-Length", length.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("Upload-Metadata", string.Join(',',
            metadata.Select(m => $"{m.Key} {Convert.ToBase64String(Encoding.UTF8.GetBytes(m.Value))}")));
        using var response = await _http.SendAsync(request, ct);
        await EnsureSuccessAsync(response, ct);
        var location = response.Headers.Location
            ?? throw new HttpRequestException("The server created an upload but did not say where (no Location header).");
        return location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;
    }

    /// <summary>The upload's offset and length (HEAD), or null when the server no longer has it (expired, deleted, another server).</summary>
    public async Task<TusUploadState?> GetUploadAsync(string url, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        using var request = TusRequest(HttpMethod.Head, url);
        using var response = await _http.SendAsync(request, ct);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone or HttpStatusCode.Forbidden)
        {
            return null;
        }
        await EnsureSuccessAsync(response, ct);
        return StateOf(response, length: LongHeader(response, "Upload-Length"));
    }

    /// <summary>
    /// Appends <paramref name="chunk"/> at <paramref name="offset"/> (PATCH), with its SHA-256 in
    /// <c>Upload-Checksum</c> so that the server keeps nothing of a damaged chunk.
    /// </summary>
    public async Task<TusUploadState> AppendUploadAsync(string url, long offset, ReadOnlyMemory<byte> chunk, long length, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        using var request = TusRequest(HttpMethod.Patch, url);
        request.Headers.Add("Upload-Offset", offset.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("Upload-Checksum", "sha256 " + Convert.ToBase64String(SHA256.HashData(chunk.Span)));
        request.Content = new ReadOnlyMemoryContent(chunk);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/offset+octet-stream");
        using var response = await _http.SendAsync(request, ct);
        await EnsureSuccessAsync(response, ct);
        return StateOf(response, length);
    }

    public async Task DeleteUploadAsync(string url, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        using var request = TusRequest(HttpMethod.Delete, url);
        using var response = await _http.SendAsync(request, ct);
        if (response.StatusCode is not (HttpStatusCode.NotFound or HttpStatusCode.Gone))
        {
            await EnsureSuccessAsync(response, ct);
        }
    }

    private static HttpRequestMessage TusRequest(HttpMethod method, string url)
    {
        var request = new HttpRequestMessage(method, url.TrimStart('/'));
        request.Headers.Add("Tus-Resumable", TusVersion);
        return request;
    }

    private static TusUploadState StateOf(HttpResponseMessage response, long length) => new(
        LongHeader(response, "Upload-Offset"),
        length,
        response.Headers.TryGetValues("Tessera-File-Id", out var ids) && Guid.TryParse(ids.FirstOrDefault(), out var id) ? id : null);

    private static long LongHeader(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values)
        && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new HttpRequestException($"The server's answer lacks a valid {name} header.");
}
