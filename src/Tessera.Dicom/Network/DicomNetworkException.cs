namespace Tessera.Dicom.Network;

/// <summary>
/// A peer broke the upper-layer protocol: a PDU that cannot be read, or one that is not allowed now.
/// <see cref="AbortReason"/> is what an A-ABORT sent in answer should say.
/// </summary>
public class DicomNetworkException(string message, AbortReason abortReason = AbortReason.NotSpecified, Exception? inner = null)
    : Exception(message, inner)
{
    public AbortReason AbortReason { get; } = abortReason;
}
