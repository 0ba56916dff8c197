namespace Tessera.Archive;

/// <summary>What went wrong, in the terms an API answers with.</summary>
public enum ErrorKind
{
    /// <summary>The input is malformed or violates a rule (400).</summary>
    Invalid,
    /// <summary>The caller must authenticate first (401).</summary>
    Unauthenticated,
    /// <summary>The caller may see the target but not do this to it (403).</summary>
    Forbidden,
    /// <summary>The target does not exist, or the caller may not know it does (404).</summary>
    NotFound,
    /// <summary>The request conflicts with the current state (409).</summary>
    Conflict,
    /// <summary>The request body exceeds a configured limit (413).</summary>
    TooLarge,
    /// <summary>The request body is of a media type the endpoint does not take (415).</summary>
    UnsupportedMediaType,
    /// <summary>None of the media types the client accepts can be produced (406).</summary>
    NotAcceptable,
    /// <summary>The server has no room for what the request would store (507).</summary>
    InsufficientStorage,
    /// <summary>The caller is held back after too many attempts (429, with Retry-After).</summary>
    TooManyRequests,
}
