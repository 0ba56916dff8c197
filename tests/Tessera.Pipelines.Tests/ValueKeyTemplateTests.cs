using Shouldly;
using Tessera.Pipelines.Tools.Boutiques;

namespace Tessera.Pipelines.Tests;

public sealed class ValueKeyTemplateTests
{
    [Fact]
    public void Resolve_KeyIsPrefixOfAnother_LongestTaken()
    {
        var template = new ValueKeyTemplate(["IN", "IN_MASK", "[A]", "[A]2"]);

        var resolved = template.Resolve("x IN_MASK IN [A]2 [A] IN_MAS", k => $"<{k.ToLowerInvariant()}>");

        resolved.ShouldBe("x <in_mask> <in> <[a]2> <[a]> <in>_MAS");
    }

    [Fact]
    public void Resolve_ReplacementHoldsKeys_NotReadAgain()
    {
        var template = new ValueKeyTemplate(["[A]", "[B]"]);

        var resolved = template.Resolve("[A][B]", k => k == "[A]" ? "[B]" : "[A]");

        resolved.ShouldBe("[B][A]");
    }

    [Fact]
    public void Parts_KeysAtEdgesAndAdjacent_TextAndKeysInOrder()
    {
        var template = new ValueKeyTemplate(["[A]", "[B]", "", null]);

        template.Parts("[A][B] and [A]").ShouldBe([
            new TemplatePart("[A]", true), new TemplatePart("[B]", true), new TemplatePart(" and ", false), new TemplatePart("[A]", true),
        ]);
        template.Parts("no keys").ShouldBe([new TemplatePart("no keys", false)]);
        template.Parts("").ShouldBeEmpty();
    }
}
