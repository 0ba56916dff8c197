using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Tessera.Archive;
using Tessera.Archive.Data;
using Tessera.Archive.Storage;
using Tessera.Pipelines;
using Tessera.Pipelines.Executors;
using Tessera.Server.Api;
using Tessera.Server.Audit;
using Tessera.Server.DicomNetwork;
using Tessera.Server.Auth;
using Tessera.Server.DicomWeb;
using Tessera.Server.Errors;
using Tessera.Server.Hosting;
using Tessera.Server.Imaging;
using Tessera.Server.Web;

using Tessera.Server.Security;

namespace Tessera.Server;

/// <summary>Builds and prepares the Tessera web host; the table of contents of the server.</summary>
public static class TesseraServer
{
    public const string DefaultUrl = "http://127.0.0.1:8080";
    public const string EnvironmentPrefix = "TESSERA__";

    /// <param name="args">Standard host arguments (e.g. <c>--urls</c>).</param>
    /// <param name="settings">Configuration that overrides every other source (command-line options of <c>serve</c>).</param>
    public static WebApplication Build(string[] args, IReadOnlyDictionary<string, string?>? settings = null)
    {
        // Configuration files are read once at start. Reloading them on change would watch the working
        // directory recursively, and the default data folder (./tessera-data) with every blob shard under it.
        var builder = WebApplication.CreateBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args]);
        builder.Configuration.AddEnvironmentVariables(EnvironmentPrefix);
        // EF Core logs every command at Information; keep the console for what an operator needs.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        // One line per request (RequestLogMiddleware) instead of ASP.NET Core's dozen; `serve` prints where it listens.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-dd HH:mm:ss ";
        });
        // The sign-in keys sit unencrypted in <data>/keys, protected like the database beside them
        // (docs/configuration.md); the warning that says so at every first start is noise.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }
        var urls = builder.Configuration["urls"];
        if (string.IsNullOrEmpty(urls))
        {
            urls = DefaultUrl;
        }
        if (builder.Configuration.GetValue($"{PipelineOptions.SectionName}:{nameof(PipelineOptions.RunJobs)}", true))
        {
            // Sandboxed jobs have no network of their own: they reach the API through this socket.
            var socket = ApiSocket.PathFor(builder.Configuration[$"{StorageOptions.SectionName}:DataDirectory"] ?? new StorageOptions().DataDirectory);
            Directory.CreateDirectory(Path.GetDirectoryName(socket)!);
            File.Delete(socket);
            urls += ";http://unix:" + socket;
        }
        RequireCertificateForHttps(builder.Configuration, urls);
        builder.WebHost.UseUrls(urls);
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
            kestrel.Limits.MaxRequestBodySize = context.Configuration.GetValue<long?>($"{ServerOptions.SectionName}:MaxJsonBytes")
                                                ?? new ServerOptions().MaxJsonBytes);
        builder.Services.AddTesseraServer(builder.Configuration);

        var app = builder.Build();
        // The tools' own account (not the server's when it runs as root) connects to the API's socket.
        if (!OperatingSystem.IsWindows() && urls.Contains("http://unix:", StringComparison.Ordinal))
            app.Lifetime.ApplicationStarted.Register(() => ApiSocket.AllowTools(ApiSocket.PathFor(app.Configuration[$"{StorageOptions.SectionName}:DataDirectory"] ?? new StorageOptions().DataDirectory)));
        app.UseTesseraForwardedHeaders();
        app.UseMiddleware<RequestLogMiddleware>();
        app.UseTesseraSecurityHeaders();
        // API errors are problem details (TesseraExceptionHandler); a page's error re-executes /error as HTML.
        // TesseraExceptionHandler logs what is unexpected itself; the middleware need not log again.
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandlingPath = "/error",
            StatusCodeSelector = ErrorStatus.Of,
            SuppressDiagnosticsCallback = _ => true,
        });
        // An API status without a body (no route, a method not allowed, a body over the limit) gets problem JSON,
        // whatever the request accepts: never an empty text/plain.
        app.UseWhen(c => WebAssets.IsApiPath(c.Request.Path), api => api.UseStatusCodePages(status =>
            TypedResults.Problem(new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status.HttpContext.Response.StatusCode }).ExecuteAsync(status.HttpContext)));
        app.UseWhen(c => !WebAssets.IsApiPath(c.Request.Path), web => web.UseStatusCodePagesWithReExecute("/error", "?status={0}"));
        app.UseTesseraWebAssets();
        app.UseRouting();
        app.UseMiddleware<AuditMiddleware>();
        app.UseMiddleware<AccessRuleMiddleware>();
        app.MapTesseraEndpoints();
        return app;
    }

    /// <summary>
    /// An https:// address needs Kestrel's certificate (<c>Kestrel:Certificates:Default:Path</c> and <c>KeyPath</c>, PEM);
    /// without one Kestrel would look for a development certificate, and its error would send an operator to the .NET SDK.
    /// </summary>
    private static void RequireCertificateForHttps(ConfigurationManager configuration, string urls)
    {
        var https = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Any(u => u.StartsWith("https://", StringComparison.OrdinalIgnoreCase));
        if (https && !configuration.GetSection("Kestrel:Certificates:Default").GetChildren().Any() && !configuration.GetSection("Kestrel:Endpoints").GetChildren().Any())
            throw new OptionsValidationException("Kestrel", typeof(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions),
                [$"--urls ({urls}) names an https:// address: set Kestrel:Certificates:Default:Path and Kestrel:Certificates:Default:KeyPath to the PEM files of the server's certificate and private key."]);
    }

    public static IServiceCollection AddTesseraServer(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddTesseraArchive(configuration);
        services.AddTesseraPipelines(configuration);
        services.AddTesseraImaging();
        services.AddOptions<ServerOptions>().BindConfiguration(ServerOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddTesseraTransportSecurity();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            // Kestrel refuses an over-long body before any endpoint runs: say which limit it was.
            if (context.ProblemDetails is { Status: 413, Detail: null })
            {
                var limits = context.HttpContext.RequestServices.GetRequiredService<IOptions<ServerOptions>>().Value;
                context.ProblemDetails.Detail = $"The request body is larger than this route takes: {limits.MaxJsonBytes:N0} bytes for JSON "
                    + $"(Server:MaxJsonBytes), {limits.MaxUploadBytes:N0} for a file (Server:MaxUploadBytes); large files go through the resumable uploads (/api/uploads).";
            }
        });
        services.AddExceptionHandler<TesseraExceptionHandler>();
        services.AddMemoryCache();
        services.AddOptions<WebOptions>().BindConfiguration(WebOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddAuthentication(TesseraClaims.Scheme)
            .AddScheme<AuthenticationSchemeOptions, ApiAuthenticationHandler>(TesseraClaims.Scheme, null)
            .AddTesseraCookie(configuration.GetSection(WebOptions.SectionName).Get<WebOptions>() ?? new WebOptions());
        // Keys that sign cookies and antiforgery tokens live with the data, so sign-ins survive a restart.
        services.AddDataProtection()
            .SetApplicationName("Tessera")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(
                Path.GetFullPath(configuration[$"{StorageOptions.SectionName}:DataDirectory"] ?? new StorageOptions().DataDirectory), "keys")));
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "tessera-antiforgery";
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.HeaderName = "RequestVerificationToken";
        });
        services.AddRazorPages(o => o.RootDirectory = "/Web/Pages").AddApplicationPart(typeof(TesseraServer).Assembly);
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(o =>
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase)));
        services.AddOpenApi();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        services.AddHostedService<BlobSweepService>();
        services.AddOptions<DicomOptions>().BindConfiguration(DicomOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<DicomOptions>, DicomOptionsValidation>();
        services.AddSingleton(sp => new DicomTlsCredentials(sp.GetRequiredService<IOptions<DicomOptions>>().Value.Tls));
        services.AddSingleton<CommitmentReporter>();
        services.AddSingleton<MoveExpectations>();
        services.AddScoped<DicomScuService>();
        services.AddHostedService(sp => sp.GetRequiredService<CommitmentReporter>());
        services.AddSingleton<ArchiveAssociationHandler>();
        services.AddSingleton<AssociationSlots>();
        services.AddHostedService<DicomListener>();
        return services;
    }

    public static IEndpointRouteBuilder MapTesseraEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").WithAccess(AccessRule.Public);
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).WithAccess(AccessRule.Public);
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") })
            .WithAccess(AccessRule.Public);
        app.MapUserEndpoints();
        app.MapTokenEndpoints();
        app.MapProjectEndpoints();
        app.MapHierarchyEndpoints();
        app.MapResourceEndpoints();
        app.MapTusEndpoints();
        app.MapImportEndpoints();
        app.MapDicomWebEndpoints();
        app.MapDicomNodeEndpoints();
        app.MapSessionArchiveEndpoints();
        app.MapDicomMediaEndpoints();
        app.MapPseudonymEndpoints();
        app.MapAuditEndpoints();
        app.MapToolEndpoints();
        app.MapJobEndpoints();
        app.MapJobRunEndpoints();
        app.MapBatchEndpoints();
        app.MapTriggerEndpoints();
        app.MapAssessmentEndpoints();
        app.MapImageEndpoints();
        app.MapThumbnailEndpoints();
        app.MapRazorPages();
        return app;
    }

    /// <summary>
    /// Checks the configuration, brings the database to the current schema (or checks that it is) and creates the
    /// first admin. Returns what became of the admin account, and a generated password to show once (or null).
    /// </summary>
    public static async Task<(AdminAccount Admin, string? GeneratedPassword)> PrepareAsync(WebApplication app, string? adminPassword, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(app);
        // The whole configuration is checked before anything is written: a start that is going to fail must not
        // create the admin account and show its one-time password first.
        app.Services.GetService<IStartupValidator>()?.Validate();
        await using var scope = app.Services.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var initializer = scope.ServiceProvider.GetRequiredService<DatabaseInitializer>();
        if (database.ShouldAutoMigrate)
        {
            await initializer.MigrateAsync(ct);
        }
        else
        {
            await initializer.EnsureCurrentAsync(ct);
        }
        var (created, generated) = await initializer.EnsureAdminAsync(adminPassword, ct);
        return (!created ? AdminAccount.Existing : generated is null ? AdminAccount.CreatedWithGivenPassword : AdminAccount.CreatedWithGeneratedPassword, generated);
    }
}
