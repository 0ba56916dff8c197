using Shouldly;
using Tessera.Archive;
using Tessera.Server.Api;

namespace Tessera.Server.Tests;

public sealed class ContentDigestTests
{
    [Fact]
    public void ParseSha256_Rfc9530Example_Hex()
    {
        // RFC 9530 appendix example: sha-256 of {"hello": "world"}.
        ContentDigest.ParseSha256("sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:")
            .ShouldBe("5f8f04f6a3a892aaabbddb6cf273894493773960d4a325b105fee46eef4304f1");
    }

    [Fact]
    public void ParseSha256_OtherAlgorithmsOnly_Null() =>
        ContentDigest.ParseSha256("sha-512=:YWJj:").ShouldBeNull();

    [Fact]
    public void ParseSha256_PicksSha256AmongSeveral() =>
        ContentDigest.ParseSha256("sha-512=:YWJj:, sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:").ShouldNotBeNull();

    [Theory]
    [InlineData("sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=")]
    [InlineData("sha-256=:YWJj:")]
    [InlineData("sha-256=:!!!:")]
    public void ParseSha256_Malformed_Invalid(string header) =>
        Should.Throw<TesseraException>(() => ContentDigest.ParseSha256(header)).Kind.ShouldBe(ErrorKind.Invalid);
}
