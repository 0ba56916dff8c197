using System.Text.Json;
using System.Text.Json.Nodes;
using Shouldly;
using Tessera.Archive;
using Tessera.Pipelines.Tools.Boutiques;

namespace Tessera.Pipelines.Tests;

public sealed class InvocationTests
{
    private static async Task<Invocation> ResolveAsync(JsonObject descriptor, string inputs)
    {
        var definition = await Descriptors.ReadAsync(descriptor);
        using var doc = JsonDocument.Parse(inputs);
        return Invocation.Resolve(definition.Descriptor, doc.RootElement.Clone());
    }

    [Fact]
    public async Task Resolve_NoInputs_OptionalOnesLeftOut()
    {
        var invocation = await ResolveAsync(Descriptors.Counter(), "{}");

        invocation.CommandLine.ShouldBe("find input -type f | wc -l > 'output/count.txt'  ");
        invocation.Outputs.ShouldHaveSingleItem().Path.ShouldBe("output/count.txt");
    }

    [Fact]
    public async Task Resolve_FlagAndString_FlagsAndQuotedValues()
    {
        var invocation = await ResolveAsync(Descriptors.Counter(), """{"verbose":true,"label":"it's; rm -rf /"}""");

        invocation.CommandLine.ShouldBe("find input -type f | wc -l > 'output/count.txt' -v --label='it'\\''s; rm -rf /'");
    }

    [Fact]
    public async Task Resolve_NumbersListsAndTemplates_AsBoutiquesDoes()
    {
        var descriptor = JsonNode.Parse("""
            {
              "name": "smooth", "tool-version": "2", "description": "d", "schema-version": "0.5",
              "command-line": "smooth [IN] [SIGMA] [SEEDS] [OUT]",
              "inputs": [
                { "id": "image", "name": "Image", "type": "File", "value-key": "[IN]" },
                { "id": "sigma", "name": "Sigma", "type": "Number", "value-key": "[SIGMA]", "command-line-flag": "-s", "minimum": 0, "exclusive-minimum": true, "maximum": 10, "default-value": 1.5 },
                { "id": "seeds", "name": "Seeds", "type": "Number", "integer": true, "list": true, "list-separator": ",", "value-key": "[SEEDS]", "optional": true, "max-list-entries": 3 }
              ],
              "output-files": [
                { "id": "smoothed", "name": "Smoothed", "path-template": "output/[IN]_smooth.nii.gz", "path-template-stripped-extensions": [".nii.gz"], "value-key": "[OUT]" }
              ]
            }
            """)!.AsObject();

        var invocation = await ResolveAsync(descriptor, """{"image":"input/scans/1/NIFTI/t1.nii.gz","seeds":[1,2,3]}""");

        invocation.CommandLine.ShouldBe("smooth 'input/scans/1/NIFTI/t1.nii.gz' -s '1.5' '1','2','3' 'output/t1_smooth.nii.gz'");
        invocation.Outputs.Single().Path.ShouldBe("output/t1_smooth.nii.gz");

        var error = Should.Throw<TesseraException>(() => Invocation.Resolve(
            DescriptorReader.ReadAsync(descriptor.Text()).Result.Descriptor,
            JsonDocument.Parse("""{"image":"../../etc/passwd","sigma":0,"seeds":[1.5,2,3,4],"other":1}""").RootElement.Clone()));
        error.Details.ShouldContain(d => d.Contains("'../../etc/passwd' is not a path inside the job's workspace", StringComparison.Ordinal));
        error.Details.ShouldContain(d => d.Contains("below the minimum (exclusive 0)", StringComparison.Ordinal));
        error.Details.ShouldContain(d => d.Contains("at most 3 entries", StringComparison.Ordinal));
        error.Details.ShouldContain(d => d.Contains("'other' is not an input of smooth", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Resolve_RequiredMissingAndWrongChoice_Listed()
    {
        var descriptor = Descriptors.Counter();
        descriptor["inputs"]!.AsArray().Add(JsonNode.Parse("""
            { "id": "mode", "name": "Mode", "type": "String", "value-choices": ["fast", "slow"] }
            """));
        descriptor["command-line"] = descriptor["command-line"]!.GetValue<string>() + " [MODE]";
        descriptor["inputs"]![2]!["value-key"] = "[MODE]";

        var missing = await Should.ThrowAsync<TesseraException>(() => ResolveAsync(descriptor, "{}"));
        var wrong = await Should.ThrowAsync<TesseraException>(() => ResolveAsync(descriptor, """{"mode":"medium"}"""));

        missing.Details.ShouldContain("Input 'mode' (Mode) is required.");
        wrong.Details.ShouldContain("Input 'mode': 'medium' is not one of fast, slow.");
    }

    [Fact]
    public async Task Resolve_OutputLedOutByInput_Refused()
    {
        var descriptor = Descriptors.Counter();
        descriptor["output-files"]![0]!["path-template"] = "output/[LABEL].txt";

        var error = await Should.ThrowAsync<TesseraException>(() => ResolveAsync(descriptor, """{"label":"../../x"}"""));

        error.Details.ShouldContain(d => d.Contains("outside output/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Resolve_ValueWithNul_RefusedNamingInput()
    {
        var error = await Should.ThrowAsync<TesseraException>(() => ResolveAsync(Descriptors.Counter(), """{"label":"a\u0000b"}"""));

        error.Kind.ShouldBe(ErrorKind.Invalid);
        error.Details.ShouldContain("Input 'label': a NUL character (\\u0000) cannot be passed on a command line.");
    }

    [Fact]
    public async Task Resolve_CommandLineOverArgumentLimit_RefusedWithItsLength()
    {
        var label = new string('x', Invocation.MaxCommandLineBytes);

        var error = await Should.ThrowAsync<TesseraException>(() => ResolveAsync(Descriptors.Counter(), $$"""{"label":"{{label}}"}"""));

        error.Kind.ShouldBe(ErrorKind.Invalid);
        error.Message.ShouldContain("bytes long; a shell takes at most 131071 in one argument");
    }

    [Fact]
    public async Task Resolve_LoneSurrogateInValue_Refused()
    {
        var error = await Should.ThrowAsync<TesseraException>(() => ResolveAsync(Descriptors.Counter(), """{"label":"a\ud800b"}"""));

        error.Kind.ShouldBe(ErrorKind.Invalid);
    }
}
