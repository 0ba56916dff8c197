using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.Archive.Access;
using Tessera.Archive.Audit;
using Tessera.Archive.Changes;
using Tessera.Archive.CustomFields;
using Tessera.Archive.Data;
using Tessera.Archive.Files;
using Tessera.Archive.Hierarchy;
using Tessera.Archive.Ingest;
using Tessera.Archive.Projects;
using Tessera.Archive.Search;
using Tessera.Archive.Storage;
using Tessera.Archive.Uploads;
using Tessera.Archive.Users;

namespace Tessera.Archive;

public static class ArchiveServiceCollectionExtensions
{
    public static IServiceCollection AddTesseraArchive(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DatabaseOptions>, DatabaseOptionsValidator>();
        services.AddOptions<UploadOptions>().BindConfiguration(UploadOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AccessOptions>().BindConfiguration(AccessOptions.SectionName).ValidateOnStart();

        services.TryAddSingletonTimeProvider();
        services.AddDbContext<ArchiveDbContext>((provider, options) =>
        {
            var database = provider.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            var storage = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
            Configure(options, database, storage);
            if (!database.IsPostgres)
                options.AddInterceptors(provider.GetRequiredService<WriteGateInterceptor>());
        });
        services.AddSingleton<WriteGateInterceptor>();

        services.AddSingleton<IBlobStore, FileSystemBlobStore>();
        services.AddSingleton<BlobFileCache>();
        services.AddSingleton<BlobFiles>();
        services.AddSingleton<CustomFieldValidator>();
        services.AddSingleton<WriteGate>();
        services.AddScoped<AccessService>();
        services.AddScoped<UserService>();
        services.AddSingleton<SignInThrottle>();
        services.AddOptions<SignInOptions>().BindConfiguration(SignInOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<TokenService>();
        services.AddScoped<ProjectService>();
        services.AddScoped<MemberService>();
        services.AddScoped<HierarchyService>();
        services.AddScoped<FileService>();
        services.AddScoped<HistoryService>();
        services.AddScoped<IngestService>();
        services.AddScoped<Dicom.DicomImportService>();
        services.AddScoped<Dicom.PseudonymService>();
        services.AddScoped<Dicom.Query.DicomQueryService>();
        services.AddScoped<Dicom.Media.DicomMediaService>();
        services.AddOptions<Dicom.Media.DicomMediaOptions>().BindConfiguration(Dicom.Media.DicomMediaOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<Dicom.Nodes.DicomNodeService>();
        services.AddScoped<AuditService>();
        services.AddSingleton<AuditWriter>();
        services.AddHostedService(provider => provider.GetRequiredService<AuditWriter>());
        services.AddSingleton<UploadHashes>();
        services.AddScoped<UploadService>();
        services.AddScoped<BlobSweeper>();
        services.AddScoped<StorageReport>();
        services.AddScoped<SearchService>();
        services.AddScoped<DatabaseInitializer>();
        return services;
    }

    /// <summary>Points a context at the configured provider; shared by the server and the migration command.</summary>
    public static void Configure(DbContextOptionsBuilder options, DatabaseOptions database, StorageOptions storage)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(storage);
        if (database.IsPostgres)
        {
            options.UseNpgsql(database.ConnectionString);
        }
        else
        {
            var connection = database.ConnectionString
                ?? $"Data Source={Path.Combine(Path.GetFullPath(storage.DataDirectory), "tessera.db")};Pooling=True";
            options.UseSqlite(connection).AddInterceptors(SqliteConnectionSetup.Instance);
        }
        // Migrations are hand-written (no design-time package, so no model snapshot); a test
        // compares the migrated schema with the model instead.
        // A failed command or save is for its caller to report: a key taken by a concurrent writer is
        // expected and handled (retried, or answered as a conflict), and anything unexpected reaches
        // the error handler, which logs it. EF Core would log each one as an error first.
        options.ConfigureWarnings(w => w
            .Ignore(RelationalEventId.PendingModelChangesWarning)
            .Log((CoreEventId.SaveChangesFailed, LogLevel.Debug), (RelationalEventId.CommandError, LogLevel.Debug)));
    }

    private static void TryAddSingletonTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}
