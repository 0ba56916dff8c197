using System.Globalization;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Codecs;

/// <summary>
/// What a decoder may allocate for one image: the frame its DICOM header describes, and never more than
/// <see cref="MaxPixels"/>. Every codec reads the size a codestream or file declares from its header and checks it
/// here before it allocates or decodes anything: one flipped bit in a JPEG 2000 SIZ marker asked OpenJPEG for 8 GB.
/// </summary>
public sealed record DecodeLimits
{
    /// <summary>64 megapixels, the default of the server's <c>Imaging:MaxDecodedPixels</c>.</summary>
    public const long DefaultMaxPixels = 64L << 20;

    public static DecodeLimits Default { get; } = new();

    /// <summary>The most pixels one image or frame may have to be decoded at once.</summary>
    public long MaxPixels { get; init; } = DefaultMaxPixels;

    /// <summary>
    /// Refuses a frame whose DICOM header alone makes it larger than <see cref="MaxPixels"/>
    /// (<see cref="ImageErrorKind.Unsupported"/>), before its bytes are read or decoded.
    /// </summary>
    public void CheckFrame(PixelLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        CheckPixels("the DICOM header", layout.Columns, layout.Rows);
    }

    /// <summary>
    /// Refuses a codestream whose header declares another geometry than the DICOM header's
    /// (<see cref="ImageErrorKind.Malformed"/>, naming both) or more pixels than allowed; called after the codec has
    /// read the codestream's header and before it allocates its output.
    /// </summary>
    /// <param name="source">What declared it, for the message: "JPEG 2000 codestream", "JPEG-LS frame header".</param>
    /// <param name="atMost">
    /// A smaller declared size is accepted: some whole-slide writers store edge tiles of a JPEG-compressed image at
    /// their cropped size, and the decoder places them in a frame of the header's size.
    /// </param>
    /// <param name="expectedSource">What described <paramref name="expected"/>, when not a DICOM header ("TIFF tile size").</param>
    public void CheckDeclared(
        string source, long width, long height, long components, PixelLayout expected, bool atMost = false, string expectedSource = "DICOM header")
    {
        ArgumentNullException.ThrowIfNull(expected);
        var sameSize = atMost
            ? width >= 1 && height >= 1 && width <= expected.Columns && height <= expected.Rows
            : width == expected.Columns && height == expected.Rows;
        if (!sameSize || components != expected.SamplesPerPixel)
        {
            var samples = components == expected.SamplesPerPixel ? "" : $" with {Samples(components)}";
            var theirs = components == expected.SamplesPerPixel ? "" : $" with {Samples(expected.SamplesPerPixel)}";
            throw ImageException.Malformed(
                $"the {source} declares {Size(width, height)}{samples}, the {expectedSource} {Size(expected.Columns, expected.Rows)}{theirs}");
        }
        CheckPixels($"the {source}", width, height);
    }

    /// <summary>
    /// Refuses an image with no DICOM header to compare with (a PNG, TIFF or JPEG file, a tile of one) whose header
    /// declares more pixels than allowed (<see cref="ImageErrorKind.Unsupported"/>), or no pixels at all.
    /// </summary>
    public void CheckDeclared(string source, long width, long height)
    {
        if (width < 1 || height < 1)
            throw ImageException.Malformed($"the {source} declares {Size(width, height)} pixels");
        CheckPixels($"the {source}", width, height);
    }

    /// <summary>
    /// The product of <paramref name="counts"/> (a buffer's size from width, height, samples, bytes), or an
    /// <see cref="ImageErrorKind.Unsupported"/> error when it does not fit one array, instead of a wrapped int.
    /// </summary>
    public static int BufferSize(string what, params ReadOnlySpan<long> counts)
    {
        var total = 1L;
        try
        {
            foreach (var count in counts)
                total = checked(total * count);
        }
        catch (OverflowException)
        {
            total = long.MaxValue;
        }
        if (total < 0 || total > Array.MaxLength)
            throw ImageException.Unsupported($"{what} would need {(total == long.MaxValue ? "more than 2^63" : total.ToString(CultureInfo.InvariantCulture))} values, more than one array holds");
        return (int)total;
    }

    private void CheckPixels(string who, long width, long height)
    {
        // Both come from headers (each up to 2^32 - 1): their product is taken in 128 bits, so it cannot wrap.
        var pixels = (Int128)width * height;
        if (pixels > MaxPixels)
        {
            throw ImageException.Unsupported(
                $"{who} declares {Size(width, height)}, {pixels.ToString(CultureInfo.InvariantCulture)} pixels: more than the {MaxPixels.ToString(CultureInfo.InvariantCulture)} decoded at once (Imaging:MaxDecodedPixels)");
        }
    }

    private static string Size(long width, long height) =>
        string.Create(CultureInfo.InvariantCulture, $"{width}×{height}");

    private static string Samples(long count) => count == 1 ? "1 component" : string.Create(CultureInfo.InvariantCulture, $"{count} components");
}
