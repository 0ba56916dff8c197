using Shouldly;
using Tessera.Archive.Files;

namespace Tessera.Archive.Tests.Validation;

public sealed class MediaTypesTests
{
    [Theory]
    [InlineData("x.dcm", null, "application/dicom")]
    [InlineData("x.png", "application/octet-stream", "image/png")]
    [InlineData("x.nii.gz", null, "application/gzip")]
    [InlineData("x.unknown", null, "application/octet-stream")]
    [InlineData("x.bin", "image/tiff", "image/tiff")]
    [InlineData("x.txt", "application/dicom", "text/plain")] // the extension's specific type wins
    [InlineData("x.bin", "text/html", "application/octet-stream")] // an active declared type is never taken
    [InlineData("noext", "image/svg+xml", "application/octet-stream")]
    [InlineData("noext", "application/dicom; charset=x", "application/dicom")]
    public void Choose_TheExtensionsSpecificType_ElseAPassiveDeclaredOne(string path, string? declared, string expected) =>
        MediaTypes.Choose(path, declared).ShouldBe(expected);
}
