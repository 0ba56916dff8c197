using Tessera.Imaging.Encoding;

namespace Tessera.Imaging.Tests.Fuzz;

/// <summary>
/// Found by fuzz/ (target png), the same defect as the DICOM reader's deflated datasets: image data whose zlib
/// header (0x78 0x20) asks for a preset dictionary made the runtime's inflater throw its internal ZLibException,
/// which escaped PngRows (only InvalidDataException was caught). It is now a Malformed ImageException.
/// </summary>
public sealed class PngZLibPresetDictionaryHeader
{
    /// <summary>AFL++'s input as found: a 3×2 16-bit grey header, then an IDAT of "x " (FDICT set) and a few bytes.</summary>
    private static readonly byte[] Found =
    [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x03,
        0x00, 0x00, 0x00, 0x02, 0x10, 0x00, 0x00, 0x64, 0x00, 0xE8, 0x8F, 0xE5, 0x85, 0x00, 0x00, 0x00, 0x15, 0x49, 0x44, 0x41,
        0x54, 0x78, 0x20, 0x02, 0x8C, 0x91, 0x91, 0x81, 0x89, 0x89, 0x76, 0x89, 0xFA, 0x00, 0x00, 0xFA,
    ];

    [Fact]
    public void Decode_ImageDataAskingForAZLibDictionary_ThrowsMalformed()
    {
        using var stream = new MemoryStream(Found);

        var error = Should.Throw<ImageException>(() => PngDecoder.Decode(stream));

        error.Kind.ShouldBe(ImageErrorKind.Malformed);
        error.Message.ShouldStartWith("the PNG image data does not inflate");
        error.InnerException.ShouldBeAssignableTo<IOException>(); // the runtime's internal ZLibException
    }
}
