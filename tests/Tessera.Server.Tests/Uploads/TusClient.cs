using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace Tessera.Server.Tests.Uploads;

/// <summary>Raw tus 1.0 requests, as a tus client sends them, so that tests see every header.</summary>
public sealed class TusClient(HttpClient http)
{
    public HttpClient Http { get; } = http;

    public static string Metadata(params (string Key, string? Value)[] pairs) => string.Join(",", pairs.Select(p =>
        p.Value is null ? p.Key : $"{p.Key} {Convert.ToBase64String(Encoding.UTF8.GetBytes(p.Value))}"));

    public Task<HttpResponseMessage> CreateAsync(long length, string metadata, byte[]? body = null)
    {
        var request = Request(HttpMethod.Post, "api/uploads");
        request.Headers.Add("Upload-Length", length.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("Upload-Metadata", metadata);
        if (body is not null)
        {
            request.Content = OffsetContent(body);
        }
        return Http.SendAsync(request);
    }

    /// <summary>Creates an upload and returns its URL (path), failing the test unless it was created.</summary>
    public async Task<string> CreateOkAsync(long length, string metadata)
    {
        var response = await CreateAsync(length, metadata);
        if (response.StatusCode != System.Net.HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"Creation answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        return response.Headers.Location!.OriginalString.TrimStart('/');
    }

    public Task<HttpResponseMessage> HeadAsync(string url) => Http.SendAsync(Request(HttpMethod.Head, url));

    public async Task<long> OffsetAsync(string url)
    {
        using var response = await HeadAsync(url);
        response.EnsureSuccessStatusCode();
        return long.Parse(response.Headers.GetValues("Upload-Offset").Single(), CultureInfo.InvariantCulture);
    }

    public Task<HttpResponseMessage> PatchAsync(string url, long offset, HttpContent content, string? checksum = null)
    {
        var request = Request(HttpMethod.Patch, url);
        request.Headers.Add("Upload-Offset", offset.ToString(CultureInfo.InvariantCulture));
        if (checksum is not null)
        {
            request.Headers.Add("Upload-Checksum", checksum);
        }
        request.Content = content;
        return Http.SendAsync(request);
    }

    public Task<HttpResponseMessage> PatchAsync(string url, long offset, byte[] bytes, string? checksum = null) =>
        PatchAsync(url, offset, OffsetContent(bytes), checksum);

    public Task<HttpResponseMessage> DeleteAsync(string url) => Http.SendAsync(Request(HttpMethod.Delete, url));

    public static HttpRequestMessage Request(HttpMethod method, string url)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Add("Tus-Resumable", "1.0.0");
        return request;
    }

    public static ByteArrayContent OffsetContent(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/offset+octet-stream");
        return content;
    }
}
