using System.Text;
using System.Text.Json;
using Tessera.Dicom;
using Tessera.Dicom.IO;
using Tessera.Dicom.Json;

namespace Tessera.Fuzz.Targets;

/// <summary>
/// The DICOM JSON model (PS3.18 F.2) as STOW-RS and the metadata endpoints receive it: <see cref="DicomJsonReader"/>,
/// then the dataset written back as JSON and as DICOM.
/// </summary>
public sealed class DicomJsonTarget : FuzzTarget
{
    public override string Name => "json";

    public override string Description => "DicomJsonReader.Parse, then DicomJsonWriter and DicomWriter over the dataset it built";

    public override void Run(byte[] input)
    {
        var dataset = DicomJsonReader.Parse(Encoding.UTF8.GetString(input));
        DicomJsonWriter.Serialize(dataset);
        DicomWriter.WriteDataset(Stream.Null, dataset, TransferSyntax.ExplicitVrLittleEndian);
    }

    public override bool IsRefusal(Exception exception) => exception is DicomException or JsonException;

    public override IEnumerable<Seed> Seeds(SeedCorpus corpus)
    {
        // The corpus has DICOM, not DICOM JSON: our own writer turns its smallest files into the model.
        var made = 0;
        foreach (var file in corpus.Files([".dcm"], DicomReader.LooksLikeDicom))
        {
            if (made == 20 || file.Bytes.Length == SeedCorpus.MaxSeedBytes)
                continue; // a cut file is still good DICOM seed but would not parse whole here
            byte[] json;
            try
            {
                using var stream = new MemoryStream(file.Bytes, writable: false);
                json = Encoding.UTF8.GetBytes(DicomJsonWriter.Serialize(DicomReader.Read(stream).Dataset));
            }
            catch (DicomException)
            {
                continue;
            }
            if (json.Length > SeedCorpus.MaxSeedBytes)
                continue;
            made++;
            yield return new Seed(Path.ChangeExtension(file.Name, ".json"), json);
        }
        yield return new Seed("hand-made.json", """
            {
              "00080016": { "vr": "UI", "Value": ["1.2.840.10008.5.1.4.1.1.7"] },
              "00100010": { "vr": "PN", "Value": [{ "Alphabetic": "Doe^Jane", "Ideographic": "", "Phonetic": "" }] },
              "00280010": { "vr": "US", "Value": [512] },
              "00281050": { "vr": "DS", "Value": [40.5, "60"] },
              "00200032": { "vr": "FD", "Value": [1.5, -2, 3e10] },
              "00091010": { "vr": "OB", "InlineBinary": "AAECAw==" },
              "7FE00010": { "vr": "OW", "BulkDataURI": "frames/1" },
              "00400275": { "vr": "SQ", "Value": [{ "00400009": { "vr": "SH", "Value": ["SPS1"] } }, {}] },
              "00209165": { "vr": "AT", "Value": ["00100010"] },
              "00080005": { "vr": "CS", "Value": ["ISO_IR 100"] }
            }
            """u8.ToArray());
        yield return new Seed("array.json", """[{ "00100020": { "vr": "LO", "Value": ["ID1"] }, "00100030": { "vr": "DA" } }]"""u8.ToArray());
    }
}
