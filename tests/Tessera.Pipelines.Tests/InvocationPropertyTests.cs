using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Shouldly;
using Tessera.Archive;
using Tessera.Pipelines.Tools.Boutiques;

namespace Tessera.Pipelines.Tests;

/// <summary>
/// Generated descriptors with inputs of every Boutiques type (value-keys that overlap, flags, flag and
/// list separators, value-keys bare, inside the template's '...' or "..." or in "$(...)"), given
/// hostile values, their command lines run by a real shell: <c>printf '&lt;%s&gt;\n'</c> prints back
/// exactly the values given and nothing else runs. Value-keys where a value would be parsed again
/// (inside bash's <c>$'...'</c> or <c>$"..."</c>, arithmetic, or in what <c>eval</c>, <c>sh -c</c> after any wrapper,
/// <c>source</c> or a shell's input run; subscripts, <c>test -v</c>, namerefs, PS4) must be refused when the descriptor is read.
/// </summary>
public sealed class InvocationPropertyTests
{
    private enum Place { Bare, SingleQuoted, DoubleQuoted, InSubstitution, AnsiC, Locale, Arithmetic, Eval, ShellCommand, PrefixedShellCommand, Source,
        WrappedShellCommand, SourceAfterDashes, TestVariable, OldArithmetic, Subscript, Nameref, PromptVariable, ShellInput }

    // Places where a flag before the value-key takes the place the value would have (the file of ., the operand of -v…).
    private static readonly Place[] s_wordAfterName = [Place.Source, Place.SourceAfterDashes, Place.TestVariable, Place.Subscript, Place.PromptVariable];

    /// <summary>The places where no quoting holds, because the shell (or the command there) reads the value again.</summary>
    private static bool Refused(Slot slot) => slot.Place >= Place.AnsiC;

    /// <summary>One input: its place in the command line and its value (null: not given).</summary>
    private sealed record Slot(
        string Id, string Type, bool List, string Key, string? Flag, string? FlagSeparator, string? ListSeparator, Place Place, JsonNode? Value);

    private sealed record Case(IReadOnlyList<Slot> Slots, string? OutputFlag, string? OutputSeparator, string Shell)
    {
        public JsonObject Descriptor()
        {
            var inputs = new JsonArray();
            foreach (var s in Slots)
            {
                var input = new JsonObject { ["id"] = s.Id, ["name"] = s.Id, ["type"] = s.Type, ["value-key"] = s.Key, ["optional"] = true };
                if (s.List)
                    input["list"] = true;
                if (s.List && s.ListSeparator is not null)
                    input["list-separator"] = s.ListSeparator;
                if (s.Flag is not null)
                    input["command-line-flag"] = s.Flag;
                if (s.Flag is not null && s.FlagSeparator is not null)
                    input["command-line-flag-separator"] = s.FlagSeparator;
                inputs.Add(input);
            }
            var output = new JsonObject { ["id"] = "out", ["name"] = "Out", ["path-template"] = $"output/{Slots[0].Key}_out.txt", ["value-key"] = OutputKey };
            if (OutputFlag is not null)
                output["command-line-flag"] = OutputFlag;
            if (OutputFlag is not null && OutputSeparator is not null)
                output["command-line-flag-separator"] = OutputSeparator;
            var slots = string.Join(' ', Slots.Select(s => s.Place switch
            {
                Place.SingleQuoted => $"'{s.Key}'",
                Place.DoubleQuoted => $"\"{s.Key}\"",
                Place.InSubstitution => $"\"$(printf %s {s.Key})\"",
                Place.AnsiC => $"$'\\'{s.Key}'",
                Place.Locale => $"$\"{s.Key}\"",
                Place.Arithmetic => $"$((1 + {s.Key}))",
                Place.Eval => $"\"$(eval printf %s {s.Key})\"",
                Place.ShellCommand => $"\"$(bash -c 'printf %s {s.Key}')\"",
                Place.PrefixedShellCommand => $"\"$(env -u X timeout 9 /bin/sh -ec \"printf %s {s.Key}\")\"",
                Place.Source => $"\"$(. {s.Key})\"",
                Place.WrappedShellCommand => $"\"$(flock lock taskset 1 sh -c 'printf %s {s.Key}')\"",
                Place.SourceAfterDashes => $"\"$(. -- {s.Key})\"",
                Place.TestVariable => $"\"$([ -v {s.Key} ] && printf x)\"",
                Place.OldArithmetic => $"$[1 + {s.Key}]",
                Place.Subscript => $"\"$(a[{s.Key}]=1)\"",
                Place.Nameref => $"\"$(declare -n r={s.Key}; printf %s \"$r\")\"",
                Place.PromptVariable => $"\"$(PS4={s.Key} bash -xc :)\"",
                Place.ShellInput => $"\"$(sh < {s.Key})\"",
                _ => s.Key,
            }));
            return new JsonObject
            {
                ["name"] = "generated", ["tool-version"] = "1", ["description"] = "d", ["schema-version"] = "0.5",
                ["command-line"] = $"printf '<%s>\\n' start {slots} {OutputKey} end",
                ["shell"] = Shell,
                ["inputs"] = inputs,
                ["output-files"] = new JsonArray(output),
            };
        }

        public JsonObject Inputs() => new(Slots.Where(s => s.Value is not null).Select(s => KeyValuePair.Create(s.Id, (JsonNode?)s.Value!.DeepClone())));

        public override string ToString() => $"descriptor {Descriptor().ToJsonString()}\ninputs {Inputs().ToJsonString()}";
    }

    private const string OutputKey = "[OUT]";

    // Value-keys of which some begin others, so only the longest match reads them right.
    private static readonly string[] s_keys = ["[A]", "[AB]", "[B]", "[A_1]", "K", "KK", "KKK", "K_1", "@X", "@XY", "{Z}", "{Z}{Z}"];

    private static readonly string[] s_injections =
    [
        $"$(touch {ScratchDirectory.Marker})", $"`touch {ScratchDirectory.Marker}`", $"; touch {ScratchDirectory.Marker}",
        $"| touch {ScratchDirectory.Marker}", $"& touch {ScratchDirectory.Marker}", $"&& touch {ScratchDirectory.Marker}",
        $"\ntouch {ScratchDirectory.Marker}\n", $"'; touch {ScratchDirectory.Marker}; '", $"\"; touch {ScratchDirectory.Marker}; \"",
        $"'$(touch {ScratchDirectory.Marker})'", $"\"$(touch {ScratchDirectory.Marker})\"", $"'\"`touch {ScratchDirectory.Marker}`\"'",
        $"$'\\x27; touch {ScratchDirectory.Marker}'", $"${{IFS}}touch${{IFS}}{ScratchDirectory.Marker}", $") ; touch {ScratchDirectory.Marker} ; (",
        $"<<EOF\ntouch {ScratchDirectory.Marker}\nEOF\n", "\\'", "'\\''", "'", "\"", "\\", "#", "*", "~", "-n", "--", "%s%d", "\r\n", "$HOME", "!!", "{a,b}", "..", "/", "/../",
    ];

    private static readonly string[] s_unicode = ["é", "日本語", "🙂", "\u202E", "e\u0301", "Ω≈ç√", "\u00A0", "𝒳", "\u2028"];

    private static readonly Gen<string> s_piece = Gen.Frequency(
        (3, Gen.OneOf([.. s_keys, OutputKey])),
        (4, Gen.OneOf(s_injections)),
        (2, Gen.OneOf(s_unicode)),
        (3, Gen.String[Gen.Char["aZ09 '\"$`;|&()<>\\\n\t*?~#=%!{}[]-/."], 0, 12]));

    private static readonly Gen<string> s_text = Gen.Frequency(
        (16, s_piece.Array[1, 4].Select(string.Concat)),
        (1, Gen.Const("")),
        (1, s_piece.Array[1, 3].Select(string.Concat).Select(p => Long(p, 1000))),
        (1, s_piece.Select(p => p + "\0" + p)));

    private static readonly Gen<JsonNode> s_number = Gen.Frequency(
        (3, Gen.Int[-1000, 1000].Select(i => (JsonNode)JsonValue.Create((double)i))),
        (1, Gen.Double[-1e6, 1e6].Select(d => (JsonNode)JsonValue.Create(d))));

    private static readonly Gen<JsonNode> s_file = s_text.Select(t => (JsonNode)JsonValue.Create(
        "input/" + string.Join('/', t.Split('/').Select(segment => segment == ".." ? "._" : segment)))!);

    private static Gen<Slot> SlotGen(string id, string key, bool name) =>
        from kind in name ? Gen.Const("String") : Gen.OneOf("String", "File", "Number", "Flag", "String list", "File list", "Number list")
        from flag in kind == "Flag" ? Gen.OneOf("-a", "--bee", "-C").Select(f => (string?)f) : Gen.OneOf<string?>(null, "-a", "--bee", "-C")
        from flagSeparator in Gen.OneOf<string?>(null, " ", "=", "")
        from listSeparator in Gen.OneOf<string?>(null, " ", ",", ":", "+")
        // A Flag's value-key is its flag, written as the template's own text: it is never a value to quote.
        // After a flag, "." takes the flag for its file and the value is an argument of the script: not a place of its own.
        from place in kind == "Flag" ? Gen.OneOf(Place.Bare, Place.SingleQuoted, Place.DoubleQuoted, Place.InSubstitution)
            : flag is null ? Gen.Enum<Place>() : Gen.Enum<Place>().Where(p => !s_wordAfterName.Contains(p))
        from given in Gen.Int[0, 5]
        from value in ValueGen(kind)
        select new Slot(id, kind.Split(' ')[0], kind.EndsWith(" list", StringComparison.Ordinal), key, flag, flagSeparator, listSeparator, place, given == 0 ? null : value);

    private static Gen<JsonNode> ValueGen(string kind) => kind switch
    {
        "Flag" => Gen.Bool.Select(b => (JsonNode)JsonValue.Create(b)),
        "Number" => s_number,
        "File" => s_file,
        "String" => s_text.Select(t => (JsonNode)JsonValue.Create(t)!),
        _ => (kind.StartsWith("Number", StringComparison.Ordinal) ? s_number : kind.StartsWith("File", StringComparison.Ordinal) ? s_file : s_text.Select(t => (JsonNode)JsonValue.Create(t)!))
            .Array[0, 3].Select(items => (JsonNode)new JsonArray(items)),
    };

    private static readonly Gen<Case> s_cases =
        from count in Gen.Int[2, 7]
        from keys in Gen.Shuffle(s_keys, count)
        from slots in All(keys.Take(count).Select((key, i) => SlotGen($"in{i}", key, name: i == 0)))
        from outputFlag in Gen.OneOf<string?>(null, "-o", "--out")
        from outputSeparator in Gen.OneOf<string?>(null, " ", "=")
        from shell in Gen.OneOf([.. ShellRun.Shells])
        select new Case(slots, outputFlag, outputSeparator, shell);

    private static Gen<Slot[]> All(IEnumerable<Gen<Slot>> gens) =>
        gens.Aggregate(Gen.Const(Array.Empty<Slot>()), (all, next) => Gen.Select(all, next, (slots, slot) => (Slot[])[.. slots, slot]));

    [Fact]
    public async Task Resolve_HostileValuesOfEveryType_ShellPrintsExactlyThemAndRunsNothing()
    {
        await s_cases.SampleAsync(CheckAsync, iter: 400, print: c => c.ToString());
    }

    private static async Task CheckAsync(Case c)
    {
        if (c.Slots.Any(Refused))
        {
            var refusal = await Should.ThrowAsync<TesseraException>(() => DescriptorReader.ReadAsync(c.Descriptor().ToJsonString()));
            foreach (var slot in c.Slots.Where(Refused))
                refusal.Details.ShouldContain(d => d.Contains($"'{slot.Id}' (value-key {slot.Key})", StringComparison.Ordinal), string.Join(" | ", refusal.Details));
            return;
        }
        var definition = await Descriptors.ReadAsync(c.Descriptor());
        using var inputs = JsonDocument.Parse(c.Inputs().ToJsonString());
        var withNul = c.Slots.Where(s => Texts(s).Any(t => t.Contains('\0', StringComparison.Ordinal))).ToList();
        var path = "output/" + (c.Slots[0].Value is { } name ? name.GetValue<string>() : "") + "_out.txt";

        if (withNul.Count > 0 || path.Split('/').Contains(".."))
        {
            var error = Should.Throw<TesseraException>(() => Invocation.Resolve(definition.Descriptor, inputs.RootElement));
            error.Kind.ShouldBe(ErrorKind.Invalid);
            foreach (var slot in withNul)
                error.Details.ShouldContain(d => d.StartsWith($"Input '{slot.Id}'", StringComparison.Ordinal) && d.Contains("NUL", StringComparison.Ordinal), string.Join(" | ", error.Details));
            if (withNul.Count == 0)
                error.Details.ShouldContain(d => d.Contains("outside output/", StringComparison.Ordinal));
            return;
        }

        var invocation = Invocation.Resolve(definition.Descriptor, inputs.RootElement);
        using var scratch = new ScratchDirectory();
        var run = await ShellRun.RunAsync(invocation.CommandLine, scratch.Path, c.Shell);

        var outputPath = string.Join('/', path.Split('/').Where(p => p.Length > 0 && p != "."));
        invocation.Outputs.Single().Path.ShouldBe(outputPath);
        var words = new List<string> { "start" };
        foreach (var slot in c.Slots)
            words.AddRange(Words(slot));
        words.AddRange(BoutiquesWords.Bare(BoutiquesWords.Pieces(c.OutputFlag, c.OutputSeparator, [outputPath], null)));
        words.Add("end");
        run.Error.ShouldBeEmpty(invocation.CommandLine);
        run.ExitCode.ShouldBe(0);
        run.Output.ShouldBe(ShellRun.Printed(words), invocation.CommandLine);
        scratch.MarkerExists.ShouldBeFalse(invocation.CommandLine);
    }

    /// <summary>The words printf is given for an input, by Boutiques' rules and the shell's.</summary>
    private static List<string> Words(Slot slot)
    {
        var pieces = slot.Value is null || slot.Value.GetValueKind() == JsonValueKind.False ? []
            : slot.Type == "Flag" ? [(slot.Flag!, true)]
            : BoutiquesWords.Pieces(slot.Flag, slot.FlagSeparator, Texts(slot), slot.ListSeparator);
        return slot.Place switch
        {
            // Inside the template's quotes, separators are quoted too: one word, empty when nothing is given.
            Place.SingleQuoted or Place.DoubleQuoted => [string.Concat(pieces.Select(p => p.Text))],
            // What $(...) prints loses its trailing newlines.
            Place.InSubstitution => [string.Concat(BoutiquesWords.Bare(pieces)).TrimEnd('\n')],
            _ => BoutiquesWords.Bare(pieces),
        };
    }

    private static List<string> Texts(Slot slot) =>
        slot.Value is null || slot.Type == "Flag" ? [] : slot.Value is JsonArray items ? items.Select(i => Text(i!)).ToList() : [Text(slot.Value)];

    private static string Text(JsonNode node) => node.GetValueKind() == JsonValueKind.Number
        ? node.GetValue<double>().ToString(CultureInfo.InvariantCulture)
        : node.GetValue<string>();

    private static string Long(string piece, int length)
    {
        if (piece.Length == 0)
            return new string('x', length);
        var repeated = string.Concat(Enumerable.Repeat(piece, length / piece.Length + 1));
        // Never cut a surrogate pair in two.
        var cut = char.IsHighSurrogate(repeated[length - 1]) ? length - 1 : length;
        return repeated[..cut];
    }
}
