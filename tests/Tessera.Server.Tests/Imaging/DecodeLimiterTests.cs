using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Shouldly;
using Tessera.Imaging.Codecs;
using Tessera.Imaging.Dicom;
using Tessera.Server.Imaging;

namespace Tessera.Server.Tests.Imaging;

/// <summary>The decode limiter on its own: slots, the queue wait, nesting, and the options that set them.</summary>
public sealed class DecodeLimiterTests
{
    private static DecodeLimiter Limiter(int slots, TimeSpan wait) =>
        new(slots, wait);

    [Fact]
    public async Task RunAsync_NoSlotWithinTheWait_ThrowsBusyWithRetryAfter()
    {
        using var limiter = Limiter(1, TimeSpan.FromMilliseconds(50));
        using var held = await limiter.EnterAsync(CancellationToken.None);

        var error = await Should.ThrowAsync<DecodeBusyException>(() => limiter.RunAsync(() => 1, CancellationToken.None));

        error.RetryAfter.ShouldBe(TimeSpan.FromSeconds(1));
        limiter.Refused.ShouldBe(1);
        limiter.Active.ShouldBe(1);
    }

    [Fact]
    public async Task RunAsync_InsideASlot_RunsWithoutTakingAnother()
    {
        using var limiter = Limiter(1, TimeSpan.Zero);

        // An image opened while a series is rendered decodes in the render's slot: it must not wait for a second one.
        var inner = await await limiter.RunAsync(() => limiter.RunAsync(() => limiter.Active, CancellationToken.None), CancellationToken.None);

        inner.ShouldBe(1);
        limiter.Peak.ShouldBe(1);
        limiter.Active.ShouldBe(0);
    }

    [Fact]
    public async Task RunAsync_WorkThatFails_GivesItsSlotBack()
    {
        using var limiter = Limiter(1, TimeSpan.Zero);

        await Should.ThrowAsync<InvalidOperationException>(() => limiter.RunAsync<int>(() => throw new InvalidOperationException(), CancellationToken.None));

        (await limiter.RunAsync(() => 2, CancellationToken.None)).ShouldBe(2);
        limiter.Active.ShouldBe(0);
    }

    [Theory]
    [InlineData(0, "00:00:05")]
    [InlineData(2000, "00:00:05")]
    [InlineData(4, "-00:00:01")]
    [InlineData(4, "00:10:00")]
    public void Options_OutOfRange_AreRefused(int slots, string wait)
    {
        var options = new ImagingOptions { MaxConcurrentDecodes = slots, DecodeQueueTimeout = TimeSpan.Parse(wait, System.Globalization.CultureInfo.InvariantCulture) };

        Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true).ShouldBeFalse();
    }

    [Fact]
    public void Options_Defaults_OneSlotPerProcessorAndAFewSeconds()
    {
        var options = new ImagingOptions();

        options.MaxConcurrentDecodes.ShouldBe(Environment.ProcessorCount);
        options.DecodeQueueTimeout.ShouldBe(TimeSpan.FromSeconds(5));
        Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true).ShouldBeTrue();
    }
}
