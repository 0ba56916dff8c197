namespace Tessera.Imaging.Codecs;

/// <summary>
/// Every decode slot of this node stayed taken for the whole queue wait (<see cref="DecodeLimiter"/>): answered
/// 503 with a Retry-After of <see cref="RetryAfter"/>; the same request succeeds once the burst has passed.
/// </summary>
public sealed class DecodeBusyException(TimeSpan retryAfter)
    : Exception("the server is decoding as many images as it may at once; try again shortly")
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
