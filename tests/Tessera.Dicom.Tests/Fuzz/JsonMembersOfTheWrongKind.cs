using Shouldly;
using Tessera.Dicom.Json;

namespace Tessera.Dicom.Tests.Fuzz;

/// <summary>
/// Found by fuzz/ (target json): members the DICOM JSON model defines as strings ("vr", "InlineBinary",
/// "BulkDataURI", the groups of a person name) given as numbers, and InlineBinary that is not Base64, threw
/// InvalidOperationException and FormatException out of the reader (a 500 for STOW-RS) instead of DicomException.
/// </summary>
public sealed class JsonMembersOfTheWrongKind
{
    [Theory]
    [InlineData("""{"00100010":{"vr":5}}""", "\"vr\"")]
    [InlineData("""{"00091010":{"vr":"OB","InlineBinary":5}}""", "InlineBinary")]
    [InlineData("""{"00091010":{"vr":"OB","InlineBinary":"!!"}}""", "not Base64")]
    [InlineData("""{"00100010":{"vr":"PN","Value":[{"Alphabetic":5}]}}""", "Alphabetic")]
    [InlineData("""{"00100010":{"vr":"PN","Value":[{"Alphabetic":"Doe","Phonetic":[]}]}}""", "Phonetic")]
    public void Parse_MemberOfTheWrongKind_ThrowsDicomException(string json, string named)
    {
        Should.Throw<DicomException>(() => DicomJsonReader.Parse(json)).Message.ShouldContain(named);
    }

    [Fact]
    public void Parse_BulkDataUriThatIsNotAString_ThrowsDicomExceptionBeforeResolving()
    {
        var resolved = false;
        Should.Throw<DicomException>(() => DicomJsonReader.Parse("""{"7FE00010":{"vr":"OW","BulkDataURI":{}}}""", _ => { resolved = true; return []; }));
        resolved.ShouldBeFalse();
    }

    [Fact]
    public void Parse_NullPersonNameGroup_ReadAsEmpty()
    {
        var dataset = DicomJsonReader.Parse("""{"00100010":{"vr":"PN","Value":[{"Alphabetic":"Doe^Jane","Ideographic":null}]}}""");
        dataset.GetString(DicomTags.PatientName).ShouldBe("Doe^Jane");
    }
}
