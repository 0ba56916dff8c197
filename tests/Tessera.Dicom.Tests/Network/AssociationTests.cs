using System.Diagnostics;
using Shouldly;
using Tessera.Dicom.Network;

namespace Tessera.Dicom.Tests.Network;

/// <summary>Requests of this side on an established association, and their end when it ends.</summary>
public sealed class AssociationTests
{
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The race behind the flaky StorageCommitmentTests run: the peer's A-RELEASE-RQ is read (and the
    /// waits failed) just before the storage commitment report is sent. The report must not wait for
    /// an answer no one will read: it fails at once, so the release is answered at once.
    /// </summary>
    [Fact]
    public async Task RequestAsync_AfterFailAwaiting_FailsAtOnce_SendsNothing()
    {
        using var wire = new MemoryStream();
        using var association = Open(wire);
        association.FailAwaiting("the peer asked to release the association");
        var clock = Stopwatch.StartNew();

        var failure = await Should.ThrowAsync<DicomNetworkException>(() =>
            association.RequestAsync(1, StorageCommitment.ReportCommand(1), new MemoryStream([0, 0]), CancellationToken.None));

        failure.Message.ShouldBe("the peer asked to release the association");
        clock.Elapsed.ShouldBeLessThan(WriteTimeout / 2);
        wire.Length.ShouldBe(0);
    }

    [Fact]
    public async Task FailAwaiting_EndsARequestAlreadyWaiting()
    {
        using var wire = new MemoryStream();
        using var association = Open(wire);
        var waiting = association.RequestAsync(1, StorageCommitment.ReportCommand(1), new MemoryStream([0, 0]), CancellationToken.None);
        await Poll(() => wire.Length > 0);

        association.FailAwaiting("released");

        (await Should.ThrowAsync<DicomNetworkException>(() => waiting.WaitAsync(WriteTimeout / 2))).Message.ShouldBe("released");
    }

    private static Association Open(Stream wire)
    {
        var request = new AssociateRequest("TESTER", "TESSERA",
            [new PresentationContextProposal(1, DimseSopClasses.StorageCommitmentPushModel, [TransferSyntax.ExplicitVrLittleEndian.Uid])],
            new UserInformation { MaxPduLength = 16384 });
        var accept = new AssociateAccept("TESTER", "TESSERA",
            [new PresentationContextAnswer(1, PresentationContextResult.Acceptance, TransferSyntax.ExplicitVrLittleEndian.Uid)],
            new UserInformation { MaxPduLength = 16384 });
        return new Association(wire, request, accept, isRequestor: false, WriteTimeout);
    }

    private static async Task Poll(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
            await Task.Delay(10);
        condition().ShouldBeTrue();
    }
}
