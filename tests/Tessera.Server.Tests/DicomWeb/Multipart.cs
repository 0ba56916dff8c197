using System.Net.Http.Headers;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Shouldly;

namespace Tessera.Server.Tests.DicomWeb;

/// <summary>multipart/related bodies as DICOMweb sends them, built and read by the standard's rules.</summary>
internal static class Multipart
{
    public static MultipartContent Dicom(IEnumerable<byte[]> instances, string partType = "application/dicom")
    {
        var content = new MultipartContent("related", "b" + Guid.NewGuid().ToString("N"));
        content.Headers.ContentType!.Parameters.Add(new System.Net.Http.Headers.NameValueHeaderValue("type", "\"application/dicom\""));
        foreach (var bytes in instances)
        {
            var part = new ByteArrayContent(bytes);
            part.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(partType);
            content.Add(part);
        }
        return content;
    }

    public static async Task<List<(string ContentType, byte[] Bytes)>> ReadAsync(HttpResponseMessage response)
    {
        var media = Microsoft.Net.Http.Headers.MediaTypeHeaderValue.Parse(response.Content.Headers.ContentType!.ToString());
        media.MediaType.Value.ShouldBe("multipart/related");
        var reader = new MultipartReader(HeaderUtilities.RemoveQuotes(media.Boundary).Value!, await response.Content.ReadAsStreamAsync());
        var parts = new List<(string, byte[])>();
        while (await reader.ReadNextSectionAsync() is { } section)
        {
            using var buffer = new MemoryStream();
            await section.Body.CopyToAsync(buffer);
            parts.Add((section.ContentType ?? "", buffer.ToArray()));
        }
        return parts;
    }

    public static HttpRequestMessage Get(string url, string accept)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        return request;
    }
}
