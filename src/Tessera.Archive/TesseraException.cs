namespace Tessera.Archive;

/// <summary>The one exception type the core throws for expected failures; the server maps its kind to a status code.</summary>
public sealed class TesseraException(ErrorKind kind, string message, IReadOnlyList<string>? details = null)
    : Exception(message)
{
    public ErrorKind Kind { get; } = kind;

    /// <summary>Individual problems, e.g. each custom-field violation.</summary>
    public IReadOnlyList<string> Details { get; } = details ?? [];

    /// <summary>When the caller may try again (a 429's or 503's Retry-After).</summary>
    public TimeSpan? RetryAfter { get; init; }

    public static TesseraException NotFound(string what) => new(ErrorKind.NotFound, $"{what} was not found.");

    public static TesseraException Invalid(string message, IReadOnlyList<string>? details = null) =>
        new(ErrorKind.Invalid, message, details);

    public static TesseraException Forbidden(string message) => new(ErrorKind.Forbidden, message);

    public static TesseraException Conflict(string message) => new(ErrorKind.Conflict, message);

    public static TesseraException TooLarge(string message) => new(ErrorKind.TooLarge, message);

    public static TesseraException InsufficientStorage(string message) => new(ErrorKind.InsufficientStorage, message);

    public static TesseraException TooManyRequests(string message, TimeSpan retryAfter) =>
        new(ErrorKind.TooManyRequests, message) { RetryAfter = retryAfter };

    public static TesseraException Unauthenticated() =>
        new(ErrorKind.Unauthenticated, "Sign in (HTTP Basic or a bearer token) to do this.");
}
