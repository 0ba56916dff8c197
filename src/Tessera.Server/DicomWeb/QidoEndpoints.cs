using System.Text.Json;
using Tessera.Archive;
using Tessera.Archive.Dicom.Query;
using Tessera.Dicom;
using Tessera.Dicom.Dictionary;
using Tessera.Dicom.Json;
using Tessera.Server.Auth;

namespace Tessera.Server.DicomWeb;

/// <summary>QIDO-RS (PS3.18 10.6): studies, series and instances, site-wide or within a study or series, as application/dicom+json.</summary>
internal static class QidoEndpoints
{
    public static Task Studies(HttpContext context, DicomQueryService queries) => SearchAsync(context, queries, DicomQueryLevel.Study);

    public static Task Series(HttpContext context, DicomQueryService queries) => SearchAsync(context, queries, DicomQueryLevel.Series);

    public static Task Instances(HttpContext context, DicomQueryService queries) => SearchAsync(context, queries, DicomQueryLevel.Instance);

    private static async Task SearchAsync(HttpContext context, DicomQueryService queries, DicomQueryLevel level)
    {
        if (!AcceptHeader.Parse(context.Request).Allows(DicomMediaTypes.DicomJson, "application/json"))
            throw new TesseraException(ErrorKind.NotAcceptable, "Query results are given as application/dicom+json only.");
        var (query, unused) = QidoParameters.Parse(context.Request.Query, level);
        query = query with
        {
            Project = DicomWebContext.Project(context),
            StudyInstanceUid = context.GetRouteValue("study") as string,
            SeriesInstanceUid = context.GetRouteValue("series") as string,
        };
        var result = await queries.FindAsync(context.GetCaller(), query, context.RequestAborted);
        unused.AddRange(result.IgnoredKeys.Select(t => DicomDictionary.KeywordOf(t) ?? t.ToHex()));
        if (unused.Count > 0)
        {
            context.Response.Headers.Append("Warning",
                $"299 tessera \"These query parameters are not supported and were not used for matching: {string.Join(", ", unused)}\"");
        }
        var baseUrl = DicomWebContext.BaseUrl(context);
        context.Response.ContentType = DicomMediaTypes.DicomJson;
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        writer.WriteStartArray();
        foreach (var match in result.Matches)
        {
            match.Dataset.SetString(DicomTags.RetrieveUrl, DicomVr.UR, RetrieveUrl(baseUrl, match.Dataset, level));
            DicomJsonWriter.Write(writer, match.Dataset);
            if (writer.BytesPending > 1 << 16)
                await writer.FlushAsync(context.RequestAborted);
        }
        writer.WriteEndArray();
        await writer.FlushAsync(context.RequestAborted);
    }

    private static string RetrieveUrl(string baseUrl, DicomDataset answer, DicomQueryLevel level)
    {
        var study = answer.GetString(DicomTags.StudyInstanceUid) ?? "";
        return level switch
        {
            DicomQueryLevel.Study => DicomWebContext.StudyUrl(baseUrl, study),
            DicomQueryLevel.Series => DicomWebContext.SeriesUrl(baseUrl, study, answer.GetString(DicomTags.SeriesInstanceUid) ?? ""),
            _ => DicomWebContext.InstanceUrl(baseUrl, study, answer.GetString(DicomTags.SeriesInstanceUid) ?? "", answer.GetString(DicomTags.SopInstanceUid) ?? ""),
        };
    }
}
