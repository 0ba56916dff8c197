using Tessera.Archive.Access;
using Tessera.Server.Auth;

namespace Tessera.Server.Api;

public static class ProjectAccessExtensions
{
    private static readonly object s_key = new();
    private static readonly object s_projectKey = new();
    private static readonly object s_privateReadKey = new();

    /// <summary>Clears the caller for project <paramref name="slug"/> and remembers the result for auditing.</summary>
    public static async Task<ProjectAccess> RequireProjectAsync(this HttpContext context, string slug, AccessLevel need)
    {
        ArgumentNullException.ThrowIfNull(context);
        var access = context.RequestServices.GetRequiredService<AccessService>();
        var cleared = await access.RequireAsync(slug, context.GetCaller(), need, context.RequestAborted);
        context.SetProjectAccess(cleared);
        return cleared;
    }

    /// <summary>Remembers the project a service cleared the caller for, for auditing.</summary>
    public static void SetProjectAccess(this HttpContext context, ProjectAccess access)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Items[s_key] = access;
    }

    /// <summary>Names the project a request touched when no access object is at hand, for auditing.</summary>
    public static void SetAuditProject(this HttpContext context, string slug)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Items[s_projectKey] = slug;
    }

    /// <summary>Marks a request that read data of a private project it was not cleared for by route (DICOMweb), for auditing.</summary>
    public static void MarkPrivateRead(this HttpContext context, string slug)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SetAuditProject(slug);
        context.Items[s_privateReadKey] = true;
    }

    /// <summary>Whether the request read data of a private project.</summary>
    public static bool ReadPrivateData(this HttpContext context) =>
        context?.Items.ContainsKey(s_privateReadKey) == true || context?.GetProjectAccess() is { Project.IsPublic: false };

    /// <summary>The project a request touched, by route or as set by its endpoint.</summary>
    public static string? GetAuditProject(this HttpContext context) =>
        context?.Items.TryGetValue(s_projectKey, out var value) == true ? value as string
        : context?.GetProjectAccess()?.Project.Slug;

    /// <summary>The project this request was cleared for, if any.</summary>
    public static ProjectAccess? GetProjectAccess(this HttpContext context) =>
        context?.Items.TryGetValue(s_key, out var value) == true ? value as ProjectAccess : null;
}
