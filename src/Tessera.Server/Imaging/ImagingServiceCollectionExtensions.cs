using Microsoft.Extensions.Options;
using Tessera.Archive.Ingest;
using Tessera.Imaging.Codecs;
using Tessera.Imaging.Dicom;

namespace Tessera.Server.Imaging;

public static class ImagingServiceCollectionExtensions
{
    /// <summary>
    /// The archive's images: the pixel library's decode slots and transcoder configured from the Imaging section,
    /// the catalogue that finds an image's blobs, the caches, thumbnails, and the pyramid queue (fed by ingest
    /// through <see cref="PyramidQueueObserver"/>) with its builder.
    /// </summary>
    public static IServiceCollection AddTesseraImaging(this IServiceCollection services)
    {
        services.AddOptions<ImagingOptions>().BindConfiguration(ImagingOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ImageCaches>();
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<ImagingOptions>>().Value;
            return new DecodeLimiter(options.MaxConcurrentDecodes, options.DecodeQueueTimeout, provider.GetService<ILogger<DecodeLimiter>>());
        });
        services.AddSingleton(provider => new DicomTranscoder(
            provider.GetRequiredService<DecodeLimiter>(),
            new DecodeLimits { MaxPixels = provider.GetRequiredService<IOptions<ImagingOptions>>().Value.MaxDecodedPixels }));
        services.AddSingleton(provider => new ImageSourceFactory(
            provider.GetRequiredService<Archive.Storage.IBlobStore>(), provider.GetRequiredService<Archive.Storage.BlobFiles>(), provider.GetRequiredService<ImageCaches>().Frames,
            provider.GetRequiredService<IOptions<ImagingOptions>>().Value.MaxDecodedPixels,
            provider.GetRequiredService<DecodeLimiter>()));
        services.AddScoped<ImageCatalog>();
        services.AddScoped<ThumbnailService>();
        services.AddScoped<DerivedImageStore>();
        services.AddScoped<PyramidService>();
        services.AddSingleton<PyramidSignal>();
        services.AddScoped<IStoredFileObserver, PyramidQueueObserver>();
        services.AddHostedService<PyramidBuildService>();
        return services;
    }
}
