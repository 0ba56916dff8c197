using System.Net;

namespace Tessera.Client;

/// <summary>An error answer from the server, carrying its problem details.</summary>
public sealed class TesseraApiException(HttpStatusCode status, string title, string? detail, IReadOnlyList<string> errors)
    : Exception(detail is null ? $"{(int)status} {title}" : $"{detail}")
{
    public HttpStatusCode Status { get; } = status;
    public string Title { get; } = title;
    public IReadOnlyList<string> Errors { get; } = errors;
}
