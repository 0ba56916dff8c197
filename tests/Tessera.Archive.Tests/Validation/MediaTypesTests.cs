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
    public void Choose_PrefersSpecificDeclaredTypeElseExtension(string path, string? declared, string expected) =>
        MediaTypes.Choose(path, declared).ShouldBe(expected);
}
