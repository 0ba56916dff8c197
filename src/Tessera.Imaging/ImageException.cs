namespace Tessera.Imaging;

/// <summary>What went wrong with an image: the caller maps the kind to its own error (HTTP 400, 415, 422, 503).</summary>
public enum ImageErrorKind
{
    /// <summary>The bytes are not a valid image of the format they claim (truncated, corrupt, inconsistent).</summary>
    Malformed,

    /// <summary>A valid image in a format or variant that Tessera does not decode.</summary>
    Unsupported,

    /// <summary>A native library the format needs is not installed on this machine.</summary>
    MissingLibrary,

    /// <summary>The image is too large to read as stored: it can be shown once its pyramid is built.</summary>
    NeedsPyramid,

    /// <summary>The request asks for a part of the image it does not have (a region outside it).</summary>
    OutsideImage,
}

/// <summary>An image that cannot be decoded, rendered or encoded, with a message a user can act on.</summary>
public sealed class ImageException : Exception
{
    public ImageException(ImageErrorKind kind, string message) : base(message) => Kind = kind;

    public ImageException(ImageErrorKind kind, string message, Exception inner) : base(message, inner) => Kind = kind;

    public ImageErrorKind Kind { get; }

    public static ImageException Malformed(string message) => new(ImageErrorKind.Malformed, message);

    public static ImageException Unsupported(string message) => new(ImageErrorKind.Unsupported, message);

    public static ImageException NeedsPyramid(string message) => new(ImageErrorKind.NeedsPyramid, message);

    public static ImageException OutsideImage(string message) => new(ImageErrorKind.OutsideImage, message);
}
