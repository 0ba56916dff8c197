using Shouldly;
using Tessera.Archive;
using Tessera.Archive.Files;

namespace Tessera.Archive.Tests.Validation;

public sealed class FilePathsTests
{
    [Theory]
    [InlineData("a.dcm")]
    [InlineData("dir/sub/IM 0001.dcm")]
    [InlineData("ünïcode/名前.txt")]
    public void Validate_RelativePath_Accepted(string path) => Should.NotThrow(() => FilePaths.Validate(path));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("/etc/passwd", "relative")]
    [InlineData("a/../b", "'..'")]
    [InlineData("..", "'..'")]
    [InlineData("./a", "'.'")]
    [InlineData("a//b", "empty segment")]
    [InlineData("a/", "empty segment")]
    [InlineData("a\\b", "backslash")]
    [InlineData("a\u0001b", "control")]
    [InlineData("a\nb", "control")]
    public void Validate_UnsafePath_RejectedWithReason(string path, string reason)
    {
        var e = Should.Throw<TesseraException>(() => FilePaths.Validate(path));
        e.Kind.ShouldBe(ErrorKind.Invalid);
        e.Message.ShouldContain(reason);
    }

    [Fact]
    public void Validate_TooLong_Rejected() =>
        Should.Throw<TesseraException>(() => FilePaths.Validate(new string('a', FilePaths.MaximumLength + 1)));
}
