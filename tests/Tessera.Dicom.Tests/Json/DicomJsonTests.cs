using System.Text.Json.Nodes;
using Shouldly;
using Tessera.Dicom.IO;
using Tessera.Dicom.Json;

namespace Tessera.Dicom.Tests.Json;

/// <summary>The DICOM JSON model against the corpus's JSON answers (written by Orthanc), and both directions.</summary>
public sealed class DicomJsonTests
{
    [Theory]
    [InlineData("orthanc-tests/MarekLatin2.dcm", "orthanc-tests/MarekLatin2.json")]
    [InlineData("orthanc-tests/HierarchicalAnonymization/StructuredReports/IM0", "orthanc-tests/HierarchicalAnonymization/StructuredReports/IM0.json")]
    public void Serialize_CorpusFile_EqualsTheReferenceAnswer(string dicom, string reference)
    {
        var file = DicomReader.ReadFile(TestCorpus.File(dicom));
        var ours = JsonNode.Parse(DicomJsonWriter.Serialize(file.Dataset))!;
        var theirs = JsonNode.Parse(File.ReadAllText(TestCorpus.File(reference)))!;
        ShouldMatch(ours, theirs, "");
    }

    [Fact]
    public void Serialize_PersonNameGroups_WrittenAsComponentObjects()
    {
        var file = DicomReader.ReadFile(TestCorpus.File("orthanc-tests/Encodings/DavidClunie/SCSH31"), DicomReadOptions.Headers);
        var json = JsonNode.Parse(DicomJsonWriter.Serialize(file.Dataset))!;
        var name = json["00100010"]!["Value"]![0]!;
        name["Alphabetic"]!.GetValue<string>().ShouldBe("Yamada^Tarou");
        name["Ideographic"]!.GetValue<string>().ShouldBe("山田^太郎");
        name["Phonetic"]!.GetValue<string>().ShouldBe("やまだ^たろう");
    }

    [Fact]
    public void Serialize_LargeBinary_WrittenAsBulkDataUriWithItsItemPath()
    {
        var file = DicomReader.ReadFile(TestCorpus.File("pydicom-data/MR2_UNCR.dcm"));
        var options = new DicomJsonOptions
        {
            BulkDataUri = (element, path) => $"bulk/{string.Join('/', path.Select(p => $"{p.Sequence.ToHex()}/{p.Item}"))}{element.Tag.ToHex()}",
        };
        var json = JsonNode.Parse(DicomJsonWriter.Serialize(file.Dataset, options))!;
        json["7FE00010"]!["BulkDataURI"]!.GetValue<string>().ShouldBe("bulk/7FE00010");
        json["7FE00010"]!["vr"]!.GetValue<string>().ShouldBe("OW");
    }

    [Fact]
    public void Serialize_SmallBinary_WrittenInline()
    {
        var dataset = new DicomDataset();
        dataset.Set(new DicomValueElement(DicomTags.FileMetaInformationVersion, DicomVr.OB, new byte[] { 0, 1 }));
        var json = JsonNode.Parse(DicomJsonWriter.Serialize(dataset))!;
        json["00020001"]!["InlineBinary"]!.GetValue<string>().ShouldBe("AAE=");
    }

    public static TheoryData<string> CorpusFiles() => IO.RoundTripTests.ReadableFiles();

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void Parse_OfSerialize_GivesTheSameJsonAgain(string path)
    {
        var file = DicomReader.ReadFile(TestCorpus.File(path), DicomReadOptions.Headers);
        var bulk = new Dictionary<string, byte[]>();
        var options = new DicomJsonOptions
        {
            BulkDataUri = (element, _) =>
            {
                var uri = $"bulk/{bulk.Count}";
                bulk[uri] = element switch
                {
                    DicomValueElement v => v.Bytes.ToArray(),
                    DicomFragments f => f.Fragments.SelectMany(x => x.Bytes.ToArray()).ToArray(),
                    _ => [],
                };
                return uri;
            },
        };
        var first = DicomJsonWriter.Serialize(file.Dataset, options);
        var parsed = DicomJsonReader.Parse(first, uri => bulk[uri]);
        parsed.GetString(DicomTags.SpecificCharacterSet).ShouldBe("ISO_IR 192");
        bulk.Clear();
        var second = WithoutCharacterSets(JsonNode.Parse(DicomJsonWriter.Serialize(parsed, options))!);
        // The character set becomes UTF-8 (items' own declarations go); everything else must survive unchanged.
        ShouldMatch(second, WithoutCharacterSets(JsonNode.Parse(first)!), "");
    }

    private static JsonNode WithoutCharacterSets(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                obj.Remove("00080005");
                foreach (var (_, child) in obj.ToList())
                {
                    if (child is not null)
                        WithoutCharacterSets(child);
                }
                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    if (child is not null)
                        WithoutCharacterSets(child);
                }
                break;
        }
        return node;
    }

    [Fact]
    public void Parse_NotATag_FailsClearly()
    {
        Should.Throw<DicomException>(() => DicomJsonReader.Parse("""{"PatientName":{"vr":"PN"}}""")).Message.ShouldContain("not a tag");
    }

    [Fact]
    public void Parse_NumberThatIsNot_FailsClearly()
    {
        Should.Throw<DicomException>(() => DicomJsonReader.Parse("""{"00280010":{"vr":"US","Value":["many"]}}""")).Message.ShouldContain("(0028,0010)");
    }

    /// <summary>Deep equality, with numbers compared by value (1 and 1.0 are the same number).</summary>
    private static void ShouldMatch(JsonNode? actual, JsonNode? expected, string at)
    {
        switch (expected)
        {
            case null:
                actual.ShouldBeNull(at);
                break;
            case JsonObject obj:
                var actualObj = actual.ShouldBeOfType<JsonObject>(at);
                actualObj.Select(p => p.Key).Order().ShouldBe(obj.Select(p => p.Key).Order(), at);
                foreach (var (key, value) in obj)
                    ShouldMatch(actualObj[key], value, $"{at}/{key}");
                break;
            case JsonArray array:
                var actualArray = actual.ShouldBeOfType<JsonArray>(at);
                actualArray.Count.ShouldBe(array.Count, at);
                for (var i = 0; i < array.Count; i++)
                    ShouldMatch(actualArray[i], array[i], $"{at}[{i}]");
                break;
            case JsonValue value when value.GetValueKind() == System.Text.Json.JsonValueKind.Number:
                actual!.GetValue<double>().ShouldBe(value.GetValue<double>(), at);
                break;
            default:
                actual!.ToJsonString().ShouldBe(expected.ToJsonString(), at);
                break;
        }
    }
}
