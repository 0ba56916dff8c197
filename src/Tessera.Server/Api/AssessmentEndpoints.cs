using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Archive.Data;
using Tessera.Archive.Hierarchy;
using Tessera.Client.Contracts;
using Tessera.Pipelines.Assessments;
using Tessera.Server.Auth;

namespace Tessera.Server.Api;

/// <summary>Assessment types (site-wide; admins define them) and a project's assessments, queried by their values or exported as CSV.</summary>
public static class AssessmentEndpoints
{
    public static IEndpointRouteBuilder MapAssessmentEndpoints(this IEndpointRouteBuilder app)
    {
        var types = app.MapGroup("/api/assessment-types").WithTags("Assessments");
        types.MapGet("/", ListTypes).WithAccess(AccessRule.Authenticated);
        types.MapGet("/{*name}", GetOne).WithAccess(AccessRule.Authenticated);
        types.MapPut("/{*name}", PutType).WithAccess(AccessRule.Admin);
        app.MapGet("/api/projects/{p}/assessments", Query).WithTags("Assessments").WithAccess(AccessRule.ProjectRead);
        return app;
    }

    private static async Task<Ok<List<AssessmentTypeDto>>> ListTypes(AssessmentTypeService types, CancellationToken ct) =>
        TypedResults.Ok((await types.ListAsync(ct)).Select(ToDto).ToList());

    private static async Task<Ok<AssessmentTypeDto>> GetOne(AssessmentTypeService types, string name, CancellationToken ct) =>
        TypedResults.Ok(ToDto(await types.GetAsync(name, ct)));

    private static async Task<Results<Created<AssessmentTypeDto>, Ok<AssessmentTypeDto>>> PutType(
        HttpContext context, AssessmentTypeService types, string name, PutAssessmentTypeRequest body)
    {
        var (type, created) = await types.PutAsync(context.GetCaller(), name, body.Schema, body.Description, context.RequestAborted);
        return created ? TypedResults.Created($"/api/assessment-types/{name}", ToDto(type)) : TypedResults.Ok(ToDto(type));
    }

    /// <summary>
    /// <c>type</c>, <c>session</c> (a session or scan path) and any number of <c>where</c> conditions
    /// (<c>snr&lt;12</c>); <c>format=csv</c> answers every match as CSV, one column per value.
    /// </summary>
    private static async Task Query(HttpContext context, AssessmentService assessments, string p, string? type, string? session, string? format, int? offset, int? limit)
    {
        var where = context.Request.Query["where"].Where(w => !string.IsNullOrEmpty(w)).Select(w => AssessmentFilter.Parse(w!)).ToList();
        var csv = string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase);
        var paging = csv ? new Paging(offset ?? 0, int.MaxValue) : Paging.From(offset, limit);
        var page = await assessments.QueryAsync(context.GetCaller(), p, type, session, where, paging, context.RequestAborted);
        if (!csv)
        {
            await context.Response.WriteAsJsonAsync(
                new PageDto<AssessmentDto>(page.Items.Select(ToDto).ToList(), page.Total, page.Offset, page.Limit), context.RequestAborted);
            return;
        }
        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{p}-assessments.csv\"";
        await context.Response.WriteAsync(AssessmentCsv.Write(page.Items), context.RequestAborted);
    }

    private static AssessmentTypeDto ToDto(AssessmentType type)
    {
        using var schema = JsonDocument.Parse(type.Schema);
        return new AssessmentTypeDto(type.Name, schema.RootElement.Clone(), type.Description, type.CreatedAt, type.UpdatedAt);
    }

    private static AssessmentDto ToDto(AssessmentView view)
    {
        var a = view.Assessment;
        using var values = JsonDocument.Parse(a.Values);
        return new AssessmentDto(a.Id, a.Type, view.Subject, view.Session, view.Scan, values.RootElement.Clone(),
            a.ToolName is null ? null : $"{a.ToolName}@{a.ToolVersion}", a.JobId, a.CreatedAt);
    }
}

/// <summary>Assessments as CSV (RFC 4180): who and what they are about, then one column per top-level value.</summary>
internal static class AssessmentCsv
{
    public static string Write(IReadOnlyList<AssessmentView> rows)
    {
        var parsed = rows.Select(r => (Row: r, Values: JsonDocument.Parse(r.Assessment.Values))).ToList();
        try
        {
            var keys = parsed.SelectMany(x => x.Values.RootElement.ValueKind == JsonValueKind.Object
                    ? x.Values.RootElement.EnumerateObject().Select(p => p.Name) : [])
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            var csv = new StringBuilder();
            Line(csv, ["subject", "session", "scan", "type", "tool", "job", "created", .. keys]);
            foreach (var (row, values) in parsed)
            {
                var a = row.Assessment;
                var cells = new List<string>
                {
                    row.Subject, row.Session, row.Scan ?? "", a.Type, a.ToolName is null ? "" : $"{a.ToolName}@{a.ToolVersion}",
                    a.JobId?.ToString() ?? "", a.CreatedAt.ToString("o", CultureInfo.InvariantCulture),
                };
                foreach (var key in keys)
                {
                    cells.Add(values.RootElement.ValueKind == JsonValueKind.Object && values.RootElement.TryGetProperty(key, out var v)
                        ? v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText()
                        : "");
                }
                Line(csv, cells);
            }
            return csv.ToString();
        }
        finally
        {
            foreach (var (_, values) in parsed)
                values.Dispose();
        }
    }

    private static void Line(StringBuilder csv, IEnumerable<string> cells)
    {
        csv.AppendJoin(',', cells.Select(c => c.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{c.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : c));
        csv.Append("\r\n");
    }
}
