using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Tessera.Archive.Access;
using Tessera.Archive.Dicom;
using Tessera.Archive.Storage;
using Tessera.Archive.Uploads;
using Tessera.Client.Contracts;
using Tessera.Server.Auth;
using Tessera.Server.Import;

namespace Tessera.Server.Api;

/// <summary>DICOM-aware import into a project: a file, a zip, or multipart, sorted into subjects, sessions and scans.</summary>
public static class ImportEndpoints
{
    public static IEndpointRouteBuilder MapImportEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/projects/{p}/import", Import).WithTags("Import").WithAccess(AccessRule.ProjectWrite);
        return app;
    }

    /// <param name="name">The file's name (a relative path) when the body is a single file.</param>
    /// <param name="session">Where files that are not DICOM go, as SUBJECT/SESSION; by default the one session the DICOM files went to.</param>
    private static async Task<Ok<ImportReportDto>> Import(
        HttpContext context, DicomImportService import, IOptions<UploadOptions> uploads, IOptions<StorageOptions> storage,
        IOptions<ServerOptions> options, string p, string? name, string? session)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = options.Value.MaxUploadBytes;
        var access = await context.RequireProjectAsync(p, AccessLevel.Write);
        var spooler = new ImportSpooler(uploads.Value.ResolveImportDirectory(storage.Value), ZipLimits.From(uploads.Value));
        var report = await import.ImportAsync(access, spooler.ReadAsync(context.Request, name, context.RequestAborted), session, context.RequestAborted);
        report.Files.AddRange(spooler.DiscLines);
        report.Discs.AddRange(spooler.Discs);
        return TypedResults.Ok(ToDto(report));
    }

    internal static ImportReportDto ToDto(ImportReport report) => new(
        report.Stored, report.Duplicates, report.NewVersions, report.Rejected, report.StoredAsOther, report.NotStored,
        report.Sessions,
        report.Files.Select(ToDto).ToList(),
        report.Missing, report.Skipped,
        report.Discs.Select(d => new DiscSummaryDto(d.Name, d.FileSetId, d.Records, d.Referenced, d.Found, d.Missing, d.Refused, d.Unreferenced, d.Error, d.Warnings)).ToList());

    public static ImportedFileDto ToDto(ImportedFile f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return new(f.Name, JsonNamingPolicyCamel(f.Outcome), f.Reason, f.SopInstanceUid, f.Target, f.Warnings);
    }

    private static string JsonNamingPolicyCamel(ImportOutcome outcome) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(outcome.ToString());
}
