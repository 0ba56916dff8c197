using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Tessera.Imaging.Codecs;
using Tessera.Imaging.Dicom;
using Tessera.Server.Imaging;
using Tessera.Client;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Imaging;

/// <summary>A site that renders two images at once and lets a request wait one second for a slot.</summary>
public sealed class DecodeLimitServer : TestServer
{
    public DecodeLimitServer()
    {
        Settings["Imaging:MaxConcurrentDecodes"] = "2";
        Settings["Imaging:DecodeQueueTimeout"] = "00:00:01";
    }
}

/// <summary>
/// Renders beyond Imaging:MaxConcurrentDecodes wait for a slot, and past Imaging:DecodeQueueTimeout are answered 503
/// with Retry-After instead of piling up; stored tiles sent as they are need no slot. The slots are taken by the
/// test itself through the node's <see cref="DecodeLimiter"/>, so what is asserted does not hang on timing.
/// </summary>
[Collection(ImageHeavyTests.Name)]
public sealed class DecodeLimitTests(DecodeLimitServer server) : IClassFixture<DecodeLimitServer>
{
    private DecodeLimiter Limiter => server.App.Services.GetRequiredService<DecodeLimiter>();

    /// <summary>A PNG uploaded and opened (decoded whole, in a slot of its own) before the slots are taken.</summary>
    private async Task<Guid> OpenPngAsync(HttpClient http)
    {
        var project = await server.CreateProjectAsync();
        var image = await ImageFiles.UploadAsync(server, project, ImageFiles.Png);
        await ImageFiles.InfoAsync(http, image);
        return image;
    }

    /// <summary>Every slot of the node, held until disposed.</summary>
    private async Task<IDisposable> TakeEverySlotAsync()
    {
        var slots = new List<IDisposable>();
        for (var i = 0; i < Limiter.Limit; i++)
            slots.Add(await Limiter.EnterAsync(CancellationToken.None));
        return new Slots(slots);
    }

    private sealed class Slots(List<IDisposable> slots) : IDisposable
    {
        public void Dispose() => slots.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task Tiles_EverySlotTaken_Answer503WithRetryAfter_ThenRenderWhenOneIsFree()
    {
        using var http = server.Admin();
        var image = await OpenPngAsync(http);
        var refused = Limiter.Refused;
        var requests = Enumerable.Range(0, Limiter.Limit + 4).Select(i => $"iiif/3/{image}/{i * 8},0,64,64/32,/0/default.jpg")
            .Append($"dzi/{image}_files/8/0_0.jpeg").ToList();

        using (await TakeEverySlotAsync())
        {
            var answers = await Task.WhenAll(requests.Select(r => http.GetAsync(r)));
            foreach (var answer in answers)
            {
                answer.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, answer.RequestMessage!.RequestUri!.ToString());
                answer.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(1));
                (await answer.Content.ReadAsStringAsync()).ShouldContain("as many images as it may at once");
                answer.Dispose();
            }
        }

        Limiter.Refused.ShouldBe(refused + requests.Count);
        Limiter.Active.ShouldBe(0);
        using var again = await http.GetAsync(requests[0]);
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task StoredTile_EverySlotTaken_IsSentAsStored()
    {
        using var http = server.Admin();
        var project = await server.CreateProjectAsync();
        var tiff = await ImageFiles.UploadAsync(server, project, "derived/cmu1-small-region.pyramid.jpeg.tif");
        var tile = (await ImageFiles.InfoAsync(http, tiff)).GetProperty("tiles")[0].GetProperty("width").GetInt32();

        using (await TakeEverySlotAsync())
        {
            using var stored = await http.GetAsync($"iiif/3/{tiff}/{tile},{tile},{tile},{tile}/{tile},/0/default.jpg");
            stored.StatusCode.ShouldBe(HttpStatusCode.OK);
            stored.Headers.GetValues("X-Tessera-Tile").ShouldBe(["stored"]);
            using var rendered = await http.GetAsync($"iiif/3/{tiff}/{tile},{tile},{tile},{tile}/{tile / 2},/0/default.jpg");
            rendered.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, "a scaled tile is rendered");
        }
    }

    [Fact]
    public async Task Tiles_ManyMoreThanTheLimitAtOnce_WaitForASlotAndNeverDecodeMoreThanIt()
    {
        using var http = server.Admin();
        var image = await OpenPngAsync(http);
        var count = Limiter.Limit + 6;
        Task<HttpResponseMessage>[] answers;

        using (await TakeEverySlotAsync())
        {
            answers = Enumerable.Range(0, count).Select(i => http.GetAsync($"iiif/3/{image}/0,{i * 8},64,64/48,/0/default.jpg")).ToArray();
            // Every request is queued for a slot, none decoding: the counters say so, no clock is read.
            await Poll.UntilAsync(() => Limiter.Waiting == count, $"{count} requests wait for a slot", TimeSpan.FromSeconds(20));
            Limiter.Active.ShouldBe(Limiter.Limit, "the test's own slots");
        }

        foreach (var answer in await Task.WhenAll(answers))
        {
            // A slow machine may leave some waiting past the queue timeout: those are told when to come back.
            if (answer.StatusCode == HttpStatusCode.ServiceUnavailable)
                answer.Headers.RetryAfter.ShouldNotBeNull();
            else
                answer.StatusCode.ShouldBe(HttpStatusCode.OK);
            answer.Dispose();
        }
        Limiter.Peak.ShouldBe(Limiter.Limit, "never more than the limit decoding at once");
        Limiter.Active.ShouldBe(0);
        Limiter.Waiting.ShouldBe(0);
    }

    [Fact]
    public async Task Thumbnail_EverySlotTaken_Answers503AndIsMadeLater()
    {
        var project = await server.CreateProjectAsync();
        string? scan = null;
        using (var client = new TesseraClient(server.Admin()))
        {
            foreach (var file in Directory.GetFiles(TestCorpus.File("dcm4che/testdata-series")).Order())
            {
                await using var content = File.OpenRead(file);
                scan ??= (await client.ImportFileAsync(project, Path.GetFileName(file), content)).Files[0].Target;
            }
        }
        using var http = server.Admin();

        using (await TakeEverySlotAsync())
        {
            using var busy = await http.GetAsync($"api/projects/{project}/{scan}/thumbnail");
            busy.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            busy.Headers.RetryAfter.ShouldNotBeNull();
        }

        using var made = await http.GetAsync($"api/projects/{project}/{scan}/thumbnail");
        made.StatusCode.ShouldBe(HttpStatusCode.OK, "a busy node is not remembered as an image that cannot be shown");
    }
}
