using System.Text;
using Shouldly;
using Tessera.Dicom.Network;

namespace Tessera.Dicom.Tests.Network;

public sealed class PduTests
{
    private static readonly string[] Syntaxes = ["1.2.840.10008.1.2.1", "1.2.840.10008.1.2"];

    [Fact]
    public async Task AssociateRequest_RoundTrips_WithEveryUserInformationItem()
    {
        var request = new AssociateRequest("TESSERA", "MODALITY1",
            [
                new PresentationContextProposal(1, "1.2.840.10008.5.1.4.1.1.2", Syntaxes),
                new PresentationContextProposal(3, "1.2.840.10008.1.1", ["1.2.840.10008.1.2"]),
            ],
            new UserInformation
            {
                MaxPduLength = 65536,
                AsynchronousOperations = (1, 1),
                RoleSelections = [new RoleSelection("1.2.840.10008.5.1.4.1.1.2", ScuRole: false, ScpRole: true)],
                ExtendedNegotiations = [new ExtendedNegotiation("1.2.840.10008.5.1.4.1.2.2.1", new byte[] { 1 })],
                UserIdentity = new UserIdentity(UserIdentityType.UsernameAndPasscode, true, "alice"u8.ToArray(), "s3cret"u8.ToArray()),
            });

        var read = (AssociateRequest)(await ReadAsync(PduWriter.Encode(request)))!;

        read.CalledAeTitle.ShouldBe("TESSERA");
        read.CallingAeTitle.ShouldBe("MODALITY1");
        read.ApplicationContextName.ShouldBe(ApplicationContext.Dicom);
        read.PresentationContexts.Count.ShouldBe(2);
        read.PresentationContexts[0].ShouldSatisfyAllConditions(
            c => c.Id.ShouldBe((byte)1), c => c.AbstractSyntax.ShouldBe("1.2.840.10008.5.1.4.1.1.2"), c => c.TransferSyntaxes.ShouldBe(Syntaxes));
        read.PresentationContexts[1].TransferSyntaxes.ShouldBe(["1.2.840.10008.1.2"]);
        var user = read.UserInformation;
        user.MaxPduLength.ShouldBe(65536u);
        user.ImplementationClassUid.ShouldBe(PduWriter.ImplementationClassUid);
        user.ImplementationVersionName.ShouldBe(PduWriter.ImplementationVersionName);
        user.AsynchronousOperations.ShouldBe(((ushort)1, (ushort)1));
        user.RoleSelections.ShouldBe([new RoleSelection("1.2.840.10008.5.1.4.1.1.2", false, true)]);
        user.ExtendedNegotiations.Single().ApplicationInformation.ToArray().ShouldBe(new byte[] { 1 });
        user.UserIdentity!.Kind.ShouldBe(UserIdentityType.UsernameAndPasscode);
        user.UserIdentity.PositiveResponseRequested.ShouldBeTrue();
        Encoding.UTF8.GetString(user.UserIdentity.Primary.Span).ShouldBe("alice");
        Encoding.UTF8.GetString(user.UserIdentity.Secondary.Span).ShouldBe("s3cret");
    }

    [Fact]
    public async Task AssociateAccept_RoundTrips_WithRejectedContextsAndIdentityResponse()
    {
        var accept = new AssociateAccept("TESSERA", "MODALITY1",
            [
                new PresentationContextAnswer(1, PresentationContextResult.Acceptance, "1.2.840.10008.1.2.1"),
                new PresentationContextAnswer(3, PresentationContextResult.AbstractSyntaxNotSupported, "1.2.840.10008.1.2"),
            ],
            new UserInformation { MaxPduLength = 16384, UserIdentityResponse = Array.Empty<byte>() });

        var read = (AssociateAccept)(await ReadAsync(PduWriter.Encode(accept)))!;

        read.PresentationContexts.ShouldBe(accept.PresentationContexts);
        read.UserInformation.MaxPduLength.ShouldBe(16384u);
        read.UserInformation.UserIdentityResponse!.Value.Length.ShouldBe(0);
    }

    [Fact]
    public void FixedPdus_HaveTheStandardsBytes()
    {
        PduWriter.Encode(ReleaseRequest.Instance).ShouldBe(new byte[] { 0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0 });
        PduWriter.Encode(ReleaseResponse.Instance).ShouldBe(new byte[] { 0x06, 0, 0, 0, 0, 4, 0, 0, 0, 0 });
        PduWriter.Encode(new Abort(AbortSource.ServiceProvider, AbortReason.UnexpectedPdu)).ShouldBe(new byte[] { 0x07, 0, 0, 0, 0, 4, 0, 0, 2, 2 });
        PduWriter.Encode(new AssociateReject(RejectResult.Permanent, RejectSource.ServiceUser, AssociateReject.CalledAeNotRecognized))
            .ShouldBe(new byte[] { 0x03, 0, 0, 0, 0, 4, 0, 1, 1, 7 });
    }

    [Fact]
    public async Task DataTransfer_RoundTrips_ValuesAndFlags()
    {
        var encoded = PduWriter.Encode(new DataTransfer(
        [
            new Pdv(1, IsCommand: true, IsLast: true, new byte[] { 1, 2, 3 }),
            new Pdv(1, IsCommand: false, IsLast: false, new byte[] { 4, 5 }),
        ]));
        encoded[..16].ShouldBe(new byte[] { 0x04, 0, 0, 0, 0, 17, 0, 0, 0, 5, 1, 3, 1, 2, 3, 0 });

        var read = (DataTransfer)(await ReadAsync(encoded))!;

        read.Values.Count.ShouldBe(2);
        read.Values[0].ShouldSatisfyAllConditions(v => v.IsCommand.ShouldBeTrue(), v => v.IsLast.ShouldBeTrue(), v => v.Data.ToArray().ShouldBe(new byte[] { 1, 2, 3 }));
        read.Values[1].ShouldSatisfyAllConditions(v => v.IsCommand.ShouldBeFalse(), v => v.IsLast.ShouldBeFalse(), v => v.Data.ToArray().ShouldBe(new byte[] { 4, 5 }));
    }

    [Fact]
    public async Task ClosedConnection_BetweenPdus_ReadsAsNull_InsideAPdu_IsAnError()
    {
        (await ReadAsync([])).ShouldBeNull();
        (await Should.ThrowAsync<DicomNetworkException>(() => ReadAsync([0x05, 0, 0, 0]))).Message.ShouldContain("header");
        (await Should.ThrowAsync<DicomNetworkException>(() => ReadAsync([0x05, 0, 0, 0, 0, 4, 0, 0]))).Message.ShouldContain("inside a PDU");
    }

    [Theory]
    [InlineData(new byte[] { 0x09, 0, 0, 0, 0, 4, 0, 0, 0, 0 }, AbortReason.UnrecognizedPdu, "type 0x09")]
    [InlineData(new byte[] { 0x04, 0, 0x7F, 0xFF, 0xFF, 0xFF }, AbortReason.InvalidPduParameterValue, "the limit is 16384")]
    [InlineData(new byte[] { 0x01, 0, 0x00, 0x20, 0x00, 0x00 }, AbortReason.InvalidPduParameterValue, "the limit is 1048576")]
    [InlineData(new byte[] { 0x05, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0 }, AbortReason.InvalidPduParameterValue, "not 4")]
    [InlineData(new byte[] { 0x04, 0, 0, 0, 0, 6, 0, 0, 0, 9, 1, 3 }, AbortReason.InvalidPduParameterValue, "PDV claims 9")]
    [InlineData(new byte[] { 0x04, 0, 0, 0, 0, 6, 0, 0, 0, 1, 1, 3 }, AbortReason.InvalidPduParameterValue, "PDV claims 1")]
    [InlineData(new byte[] { 0x04, 0, 0, 0, 0, 0 }, AbortReason.InvalidPduParameterValue, "no PDV")]
    public async Task MalformedPdus_AreRefused_WithTheAbortReason(byte[] bytes, AbortReason reason, string message)
    {
        var error = await Should.ThrowAsync<DicomNetworkException>(() => ReadAsync(bytes));
        error.AbortReason.ShouldBe(reason);
        error.Message.ShouldContain(message);
    }

    [Fact]
    public async Task MalformedAssociateRequests_AreRefused()
    {
        var good = PduWriter.Encode(new AssociateRequest("TESSERA", "SCU",
            [new PresentationContextProposal(1, "1.2.840.10008.1.1", ["1.2.840.10008.1.2"])], new UserInformation { MaxPduLength = 16384 }));
        // The presentation context item starts after the application context item (74 + 4 + 21 bytes).
        var contextItem = 74 + 4 + ApplicationContext.Dicom.Length;
        good[contextItem].ShouldBe((byte)0x20);

        var evenId = (byte[])good.Clone();
        evenId[contextItem + 4] = 2;
        (await Should.ThrowAsync<DicomNetworkException>(() => ReadAsync(evenId))).Message.ShouldContain("odd ID");

        var overlong = (byte[])good.Clone();
        overlong[contextItem + 2] = 0x7F;
        (await Should.ThrowAsync<DicomNetworkException>(() => ReadAsync(overlong))).Message.ShouldContain("claims");

        var noContext = (byte[])good.Clone();
        noContext[74] = 0x60;
        (await Should.ThrowAsync<DicomNetworkException>(() => ReadAsync(noContext))).AbortReason.ShouldBe(AbortReason.UnexpectedPduParameter);

        var cut = good[..^3];
        cut[5] -= 3;
        (await Should.ThrowAsync<DicomNetworkException>(() => ReadAsync(cut))).AbortReason.ShouldBe(AbortReason.InvalidPduParameterValue);
    }

    [Theory]
    [InlineData("")]
    [InlineData("SEVENTEEN_CHARS_X")]
    [InlineData("BACK\\SLASH")]
    public void BadAeTitles_AreNotEncoded(string title) =>
        Should.Throw<ArgumentException>(() => PduWriter.Encode(new AssociateRequest(title, "SCU", [], new UserInformation())));

    private static async Task<Pdu?> ReadAsync(byte[] bytes) => await new PduReader(new MemoryStream(bytes), 16384).ReadAsync(CancellationToken.None);
}
