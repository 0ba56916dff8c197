using System.Text;
using Shouldly;
using Tessera.Archive;
using Tessera.Archive.Dicom;
using Tessera.Dicom.Deidentification;

namespace Tessera.Server.Tests.Import;

/// <summary>Pseudonym patterns and keyed-hash labels, and the template rule of de-identifying projects, without a server.</summary>
public sealed class PseudonymSettingsTests
{
    [Theory]
    [InlineData(null, "glioma", 7, "glioma-0007")]
    [InlineData("{project}-{n:0000}", "glioma", 12345, "glioma-12345")]
    [InlineData("{n}", "glioma", 42, "42")]
    [InlineData("SUBJ_{n:000000}", "glioma", 3, "SUBJ_000003")]
    [InlineData("{project}.{n:00}.x", "p1", 5, "p1.05.x")]
    public void CounterLabel_FillsTheProjectAndThePaddedNumber(string? pattern, string project, int n, string expected)
    {
        var settings = new PseudonymSettings { Pattern = pattern };
        settings.Validate(project);
        settings.CounterLabel(project, n).ShouldBe(expected);
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("f", "MY")]
    [InlineData("fo", "MZXQ")]
    [InlineData("foo", "MZXW6")]
    [InlineData("foob", "MZXW6YQ")]
    [InlineData("fooba", "MZXW6YTB")]
    [InlineData("foobar", "MZXW6YTBOI")]
    public void Base32_IsRfc4648WithoutPadding(string input, string expected) =>
        PseudonymSettings.Base32(Encoding.ASCII.GetBytes(input)).ShouldBe(expected);

    [Fact]
    public void HmacLabel_IsThePrefixAndTheFirstDigits()
    {
        var mac = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var settings = new PseudonymSettings { Method = PseudonymSettings.Hmac };
        settings.Validate("glioma");
        settings.HmacLabel("glioma", mac, 10).ShouldBe("glioma-" + PseudonymSettings.Base32(mac)[..10]);
        new PseudonymSettings { Method = PseudonymSettings.Hmac, Prefix = "" }.HmacLabel("glioma", mac, 16).ShouldBe(PseudonymSettings.Base32(mac)[..16]);
    }

    [Fact]
    public void DefaultPattern_OnAProjectIdTooLong_IsRefusedWithTheReason()
    {
        var project = new string('p', 60);
        Should.Throw<TesseraException>(() => new PseudonymSettings().Validate(project)).Message.ShouldContain("longer than 64 characters");
    }

    [Theory]
    [InlineData("{StudyUidHash}", false)]
    [InlineData("{PatientID}_{PatientName}", false)]
    [InlineData("{Modality}_{SeriesNumber}", false)]
    [InlineData("{StudyInstanceUID}", false)]
    [InlineData("{AccessionNumber|StudyUidHash}", true)]
    [InlineData("{StudyID}", true)]
    [InlineData("{StudyDate}", true)]
    [InlineData("{PatientBirthDate}", true)]
    [InlineData("{OtherPatientIDs}", true)]
    [InlineData("{StudyDescription}", true)]
    public void TemplatesOfADeidentifyingProject_NameOnlyWhatDeidentificationKeeps(string template, bool refused)
    {
        var check = () => LabelTemplate.ValidateDeidentified(template, new DeidentificationOptions(), "session label");
        if (refused)
            check.ShouldThrow<TesseraException>();
        else
            check.ShouldNotThrow();
        // With full dates retained, the study date is kept, and may label sessions.
        LabelTemplate.ValidateDeidentified("{StudyDate}", new DeidentificationOptions { RetainLongitudinalTemporal = true }, "session label");
    }

    [Fact]
    public void EffectiveSessionLabel_OfADeidentifyingProjectWithTheDefault_UsesOnlyWhatIsKept()
    {
        var plain = new ProjectDicomSettings();
        plain.EffectiveSessionLabel.ShouldBe(ProjectDicomSettings.DefaultSessionLabel);
        (plain with { Deidentification = new DeidentificationSettings() }).EffectiveSessionLabel.ShouldBe("{StudyUidHash}");
        (plain with { Deidentification = new DeidentificationSettings { RetainLongitudinalTemporal = true } }).EffectiveSessionLabel.ShouldBe("{StudyDate}_{StudyUidHash}");
        (plain with { SessionLabel = "{Modality}", Deidentification = new DeidentificationSettings() }).EffectiveSessionLabel.ShouldBe("{Modality}");
    }
}
