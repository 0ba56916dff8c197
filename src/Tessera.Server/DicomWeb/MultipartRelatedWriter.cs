using System.Text;

namespace Tessera.Server.DicomWeb;

/// <summary>Writes a multipart/related response part by part (RFC 2387), straight to the response body.</summary>
public sealed class MultipartRelatedWriter(Stream output)
{
    public string Boundary { get; } = "tessera-" + Guid.NewGuid().ToString("N");

    private bool _first = true;

    public string ContentType(string partType) => $"multipart/related; type=\"{partType}\"; boundary={Boundary}";

    public async Task StartPartAsync(string contentType, long? length, CancellationToken ct)
    {
        var head = new StringBuilder();
        head.Append(_first ? "" : "\r\n").Append("--").Append(Boundary).Append("\r\n");
        head.Append("Content-Type: ").Append(contentType).Append("\r\n");
        if (length is { } n)
            head.Append("Content-Length: ").Append(n.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append("\r\n");
        head.Append("\r\n");
        _first = false;
        await output.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), ct);
    }

    public async Task EndAsync(CancellationToken ct) =>
        await output.WriteAsync(Encoding.ASCII.GetBytes((_first ? "" : "\r\n") + "--" + Boundary + "--\r\n"), ct);
}
