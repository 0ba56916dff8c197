using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Shouldly;
using Tessera.Archive.CustomFields;
using Tessera.Archive.Data;
using Tessera.Archive.Hierarchy;

namespace Tessera.Archive.Tests.CustomFields;

/// <summary>
/// A custom-field schema is written by a project owner, and any signed-in user may own a project: a schema must not
/// make the server fetch URLs or read its own files (NJsonSchema resolves external references unless told not to),
/// and a pattern must not hold a thread for ever (catastrophic backtracking).
/// </summary>
public sealed class HostileSchemaTests
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    private static string Reference(string reference) =>
        """{"type":"object","properties":{"x":{"$ref":""" + JsonSerializer.Serialize(reference) + "}}}";

    [Fact]
    public async Task AReferenceToAUrl_IsRefused_AndNothingIsFetched()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = listener.AcceptTcpClientAsync();

        var refused = await Should.ThrowAsync<TesseraException>(() => new CustomFieldValidator().ParseSchemaAsync(Json(
            Reference($"http://127.0.0.1:{port}/schema.json"))));

        refused.Kind.ShouldBe(ErrorKind.Invalid);
        refused.Message.ShouldContain("only references inside the schema");
        (await Task.WhenAny(accepted, Task.Delay(500))).ShouldNotBe(accepted, "the server connected to the schema's URL");
    }

    [Theory]
    [InlineData("/etc/hostname")]
    [InlineData("../../../../../../etc/hostname")]
    [InlineData("file:///etc/hostname")]
    public async Task AReferenceToAFile_IsRefused(string reference)
    {
        var refused = await Should.ThrowAsync<TesseraException>(() => new CustomFieldValidator().ParseSchemaAsync(Json(
            Reference(reference))));

        refused.Kind.ShouldBe(ErrorKind.Invalid);
        refused.Message.ShouldContain("only references inside the schema");
    }

    [Fact]
    public async Task AReferenceInsideTheSchema_StillWorks()
    {
        var validator = new CustomFieldValidator();
        var schema = await validator.ParseSchemaAsync(Json(
            """{"type":"object","definitions":{"age":{"type":"integer","minimum":0}},"properties":{"age":{"$ref":"#/definitions/age"}}}"""));
        var project = new Project { Slug = "p", Name = "P", SubjectSchema = schema };

        await validator.ValidateAsync(project, EntityType.Subject, Json("""{"age":3}"""));
        (await Should.ThrowAsync<TesseraException>(() => validator.ValidateAsync(project, EntityType.Subject, Json("""{"age":-1}""")))).Kind.ShouldBe(ErrorKind.Invalid);
    }

    [Fact]
    public async Task ASchemaThatRefersToItselfWithoutEnd_IsRefused_NotAServerErrorOnEveryWrite()
    {
        var refused = await Should.ThrowAsync<TesseraException>(() => new CustomFieldValidator().ParseSchemaAsync(Json("""{"$ref":"#"}""")));

        refused.Kind.ShouldBe(ErrorKind.Invalid);
    }

    [Fact]
    public async Task ManyValues_UnderACatastrophicPattern_ShareOneBudget_AndAreRefused()
    {
        // Each value takes about a second with (a+)+; thirty of them once took thirty seconds of one core.
        var validator = new CustomFieldValidator();
        var schema = await validator.ParseSchemaAsync(Json("""{"type":"object","properties":{"x":{"type":"array","items":{"type":"string","pattern":"^(a+)+$"}}}}"""));
        var project = new Project { Slug = "p", Name = "P", SubjectSchema = schema };
        var values = JsonSerializer.Serialize(new { x = Enumerable.Repeat(new string('a', 24) + "!", 30) });
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var refused = await Should.ThrowAsync<TesseraException>(() => validator.ValidateAsync(project, EntityType.Subject, Json(values)));

        refused.Kind.ShouldBe(ErrorKind.Invalid);
        refused.Message.ShouldContain("takes too long to match");
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task TooManyValues_AreRefused()
    {
        var validator = new CustomFieldValidator();
        var schema = await validator.ParseSchemaAsync(Json("""{"type":"object"}"""));
        var project = new Project { Slug = "p", Name = "P", SubjectSchema = schema };

        var refused = await Should.ThrowAsync<TesseraException>(() => validator.ValidateAsync(project, EntityType.Subject,
            Json(JsonSerializer.Serialize(new { x = Enumerable.Range(0, 10_001) }))));

        refused.Message.ShouldContain("more than 10,000 values");
    }

    // A single catastrophic pattern is tested in a real `tessera serve` (ServeProcessTests): the regular-expression timeout is
    // a process setting that must come before any Regex is built, which a test process cannot promise.
}
