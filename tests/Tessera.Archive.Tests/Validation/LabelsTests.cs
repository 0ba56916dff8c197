using Shouldly;
using Tessera.Archive;
using Tessera.Archive.Hierarchy;

namespace Tessera.Archive.Tests.Validation;

public sealed class LabelsTests
{
    [Theory]
    [InlineData("S01")]
    [InlineData("a.b_c-d")]
    [InlineData("0")]
    public void IsValid_UrlSafeLabel_True(string label) => Labels.IsValid(label).ShouldBeTrue();

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a b")]
    [InlineData("a/b")]
    [InlineData("é")]
    [InlineData("<script>")]
    public void IsValid_UnsafeLabel_False(string label) => Labels.IsValid(label).ShouldBeFalse();

    [Fact]
    public void IsValid_65Characters_False() => Labels.IsValid(new string('a', 65)).ShouldBeFalse();

    [Fact]
    public void Validate_Invalid_ThrowsInvalidNamingTheRule()
    {
        var e = Should.Throw<TesseraException>(() => Labels.Validate("a b", "subject label"));
        e.Kind.ShouldBe(ErrorKind.Invalid);
        e.Message.ShouldContain("subject label 'a b'");
        e.Message.ShouldContain("1 to 64");
    }
}
