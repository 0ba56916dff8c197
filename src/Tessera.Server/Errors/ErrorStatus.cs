using Tessera.Archive;
using Tessera.Archive.Uploads;

namespace Tessera.Server.Errors;

/// <summary>The HTTP status and title of an exception, for API problem details and HTML error pages alike.</summary>
public static class ErrorStatus
{
    public static int Of(Exception exception) => exception switch
    {
        TesseraException t => t.Kind switch
        {
            ErrorKind.Invalid => 400,
            ErrorKind.Unauthenticated => 401,
            ErrorKind.Forbidden => 403,
            ErrorKind.NotFound => 404,
            ErrorKind.Conflict => 409,
            ErrorKind.TooLarge => 413,
            ErrorKind.InsufficientStorage => 507,
            ErrorKind.UnsupportedMediaType => 415,
            ErrorKind.NotAcceptable => 406,
            ErrorKind.TooManyRequests => 429,
            _ => 500,
        },
        BadHttpRequestException b => b.StatusCode,
        ChunkChecksumException => 460,
        Tessera.Imaging.ImageException i => i.Kind switch
        {
            Tessera.Imaging.ImageErrorKind.Malformed => 422,
            Tessera.Imaging.ImageErrorKind.Unsupported => 415,
            Tessera.Imaging.ImageErrorKind.OutsideImage => 400,
            _ => 503,
        },
        Tessera.Imaging.Tiles.IiifException i => i.Status,
        Tessera.Server.Imaging.PyramidPendingException p => p.Status.Waiting ? 503 : 422,
        Tessera.Imaging.Codecs.DecodeBusyException => 503,
        _ => 500,
    };

    public static string TitleOf(ErrorKind kind) => kind switch
    {
        ErrorKind.Invalid => "Invalid request",
        ErrorKind.Unauthenticated => "Authentication required",
        ErrorKind.Forbidden => "Forbidden",
        ErrorKind.NotFound => "Not found",
        ErrorKind.Conflict => "Conflict",
        ErrorKind.TooLarge => "Request too large",
        ErrorKind.InsufficientStorage => "Insufficient storage",
        ErrorKind.UnsupportedMediaType => "Unsupported media type",
        ErrorKind.NotAcceptable => "Not acceptable",
        ErrorKind.TooManyRequests => "Too many requests",
        _ => "Error",
    };

    public static string TitleOf(int status) => status switch
    {
        200 => "No error",
        400 => "Invalid request",
        401 => "Sign-in required",
        403 => "Not allowed",
        404 => "Not found",
        409 => "Conflict",
        413 => "Too large",
        415 => "Unsupported image",
        429 => "Too many requests",
        422 => "Unreadable image",
        460 => "Checksum mismatch",
        501 => "Not implemented",
        503 => "Unavailable",
        507 => "Out of storage space",
        _ => "Something went wrong",
    };
}
