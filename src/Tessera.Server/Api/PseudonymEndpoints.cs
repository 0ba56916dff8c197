using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Archive;
using Tessera.Archive.Data;
using Tessera.Archive.Dicom;
using Tessera.Client.Contracts;
using Tessera.Server.Audit;
using Tessera.Server.Auth;

namespace Tessera.Server.Api;

/// <summary>
/// A de-identifying project's mapping from original PatientIDs to pseudonyms, for its owners and the
/// data custodian (CSV). Every read is audited, public project or not; answers are never cached.
/// </summary>
public static class PseudonymEndpoints
{
    public static IEndpointRouteBuilder MapPseudonymEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/projects/{p}/dicom/pseudonyms", List)
            .WithTags("DICOM").WithAccess(AccessRule.ProjectManage).WithMetadata(AuditedReadMetadata.Always);
        return app;
    }

    /// <summary><c>format=csv</c> answers the mapping as a CSV file, which exists only while the project keeps the mapping (409 otherwise).</summary>
    private static async Task<Results<Ok<PseudonymMappingDto>, FileContentHttpResult>> List(
        HttpContext context, PseudonymService pseudonyms, string p, string? format)
    {
        var (settings, rows) = await pseudonyms.MappingAsync(context.GetCaller(), p, context.RequestAborted);
        context.SetAuditProject(p);
        context.Response.Headers.CacheControl = "no-store";
        var keep = settings is { KeepMapping: true };
        if (!string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Ok(new PseudonymMappingDto(keep,
                rows.Select(r => new PseudonymEntryDto(r.Label, r.PatientId, r.IssuerOfPatientId, r.StudyInstanceUid, r.CreatedAt)).ToList()));
        }
        if (!keep)
            throw TesseraException.Conflict($"Project {p} does not keep the mapping of its pseudonyms (dicom.deidentification.keepMapping): there is nothing to export.");
        return TypedResults.File(Encoding.UTF8.GetBytes(Csv(rows)), "text/csv; charset=utf-8", $"{p}-pseudonyms.csv");
    }

    /// <summary>RFC 4180, with a cell that a spreadsheet would take for a formula quoted behind an apostrophe.</summary>
    internal static string Csv(IEnumerable<Pseudonym> rows)
    {
        // study_instance_uid: filled for a patient whose files had no PatientID (a pseudonym per original study).
        var csv = new StringBuilder("pseudonym,patient_id,issuer_of_patient_id,study_instance_uid,created_at\r\n");
        foreach (var row in rows)
        {
            csv.AppendJoin(',', new[] { row.Label, row.PatientId ?? "", row.IssuerOfPatientId ?? "", row.StudyInstanceUid ?? "",
                row.CreatedAt.ToString("o", CultureInfo.InvariantCulture) }.Select(Cell));
            csv.Append("\r\n");
        }
        return csv.ToString();
    }

    private static string Cell(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
            value = "'" + value;
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
}
