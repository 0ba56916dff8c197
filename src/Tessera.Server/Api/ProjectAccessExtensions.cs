using Tessera.Archive.Access;
using Tessera.Server.Auth;

namespace Tessera.Server.Api;

public static class ProjectAccessExtensions
{
    private static readonly object s_key = new();

    /// <summary>Clears the caller for project <paramref name="slug"/> and remembers the result for auditing.</summary>
    public static async Task<ProjectAccess> RequireProjectAsync(this HttpContext context, string slug, AccessLevel need)
    {
        ArgumentNullException.ThrowIfNull(context);
        var access = context.RequestServices.GetRequiredService<AccessService>();
        var cleared = await access.RequireAsync(slug, context.GetCaller(), need, context.RequestAborted);
        context.Items[s_key] = cleared;
        return cleared;
    }

    /// <summary>The project this request was cleared for, if any.</summary>
    public static ProjectAccess? GetProjectAccess(this HttpContext context) =>
        context?.Items.TryGetValue(s_key, out var value) == true ? value as ProjectAccess : null;
}
