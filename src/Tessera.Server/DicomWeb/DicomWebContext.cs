using Microsoft.EntityFrameworkCore;
using Tessera.Archive;
using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Server.Api;
using Tessera.Server.Auth;

namespace Tessera.Server.DicomWeb;

/// <summary>What every DICOMweb request needs: its project scope and the base URL its answers point at.</summary>
internal static class DicomWebContext
{
    /// <summary>The project a request is scoped to: the per-project base's, or ?project= on the site-wide base; null for every readable project.</summary>
    public static string? Project(HttpContext context) =>
        context.GetRouteValue("p") as string ?? (context.Request.Query["project"] is [{ Length: > 0 } slug] ? slug : null);

    /// <summary>The absolute base of this request's DICOMweb service, e.g. http://host/dicom-web or .../dicom-web/projects/p.</summary>
    public static string BaseUrl(HttpContext context)
    {
        var request = context.Request;
        var path = context.GetRouteValue("p") is string p ? "/dicom-web/projects/" + Uri.EscapeDataString(p) : "/dicom-web";
        return $"{request.Scheme}://{request.Host}{request.PathBase}{path}";
    }

    public static string StudyUrl(string baseUrl, string study) => $"{baseUrl}/studies/{study}";

    public static string SeriesUrl(string baseUrl, string study, string series) => $"{StudyUrl(baseUrl, study)}/series/{series}";

    public static string InstanceUrl(string baseUrl, string study, string series, string instance) =>
        $"{SeriesUrl(baseUrl, study, series)}/instances/{instance}";

    /// <summary>
    /// The project a store goes to: the request's, else the project of a project-scoped token, else the
    /// one project the user may write to. Anything else must be named.
    /// </summary>
    public static async Task<ProjectAccess> StoreTargetAsync(HttpContext context, ArchiveDbContext db)
    {
        var caller = context.GetCaller();
        var slug = Project(context);
        if (slug is null)
        {
            var userId = caller.RequireUserId();
            if (caller.TokenProjectId is { } scope)
            {
                slug = await db.Projects.Where(p => p.Id == scope).Select(p => p.Slug).FirstAsync(context.RequestAborted);
            }
            else
            {
                var writable = await db.ProjectMembers.Where(m => m.UserId == userId && m.Role >= ProjectRole.Member)
                    .Join(db.Projects, m => m.ProjectId, p => p.Id, (_, p) => p.Slug).Take(2).ToListAsync(context.RequestAborted);
                slug = writable.Count == 1 ? writable[0]
                    : throw TesseraException.Invalid(writable.Count == 0
                        ? "You may write to no project: a store needs a project you are a member or owner of."
                        : "You may write to several projects: name one with ?project=ID, or store to /dicom-web/projects/ID/studies.");
            }
        }
        return await context.RequireProjectAsync(slug, AccessLevel.Write);
    }
}
