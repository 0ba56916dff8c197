using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Client.Contracts;
using Tessera.Pipelines.Executors;
using Tessera.Pipelines.Triggers;
using Tessera.Server.Auth;

namespace Tessera.Server.Api;

/// <summary>A project's trigger rules (its owners write them, its readers see them) and its pipeline settings.</summary>
public static class TriggerEndpoints
{
    public static IEndpointRouteBuilder MapTriggerEndpoints(this IEndpointRouteBuilder app)
    {
        var rules = app.MapGroup("/api/projects/{p}/triggers").WithTags("Jobs");
        rules.MapGet("/", List).WithAccess(AccessRule.ProjectRead);
        rules.MapGet("/{name}", Get).WithAccess(AccessRule.ProjectRead);
        rules.MapPut("/{name}", Put).WithAccess(AccessRule.ProjectManage);
        rules.MapDelete("/{name}", Delete).WithAccess(AccessRule.ProjectManage);
        rules.MapGet("/{name}/firings", Firings).WithAccess(AccessRule.ProjectRead);
        var settings = app.MapGroup("/api/projects/{p}/pipeline-settings").WithTags("Jobs");
        settings.MapGet("/", GetSettings).WithAccess(AccessRule.ProjectRead);
        settings.MapPut("/", PutSettings).WithAccess(AccessRule.ProjectManage);
        return app;
    }

    private static async Task<Ok<List<TriggerDto>>> List(HttpContext context, TriggerService triggers, string p) =>
        TypedResults.Ok((await triggers.ListAsync(context.GetCaller(), p, context.RequestAborted)).Select(ToDto).ToList());

    private static async Task<Ok<TriggerDto>> Get(HttpContext context, TriggerService triggers, string p, string name) =>
        TypedResults.Ok(ToDto(await triggers.GetAsync(context.GetCaller(), p, name, context.RequestAborted)));

    private static async Task<Results<Created<TriggerDto>, Ok<TriggerDto>>> Put(HttpContext context, TriggerService triggers, string p, string name, PutTriggerRequest body)
    {
        var (view, created) = await triggers.PutAsync(context.GetCaller(), p, name, new TriggerRequest(body.Tool, body.Event, body.QuietSeconds, body.Glob,
            body.Level, body.SessionType, body.Fields, body.Inputs, body.Executor, body.Enabled), context.RequestAborted);
        return created ? TypedResults.Created($"/api/projects/{p}/triggers/{name}", ToDto(view)) : TypedResults.Ok(ToDto(view));
    }

    private static async Task<NoContent> Delete(HttpContext context, TriggerService triggers, string p, string name)
    {
        await triggers.DeleteAsync(context.GetCaller(), p, name, context.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<List<TriggerFiringDto>>> Firings(HttpContext context, TriggerService triggers, string p, string name, int? limit) =>
        TypedResults.Ok((await triggers.FiringsAsync(context.GetCaller(), p, name, limit ?? 100, context.RequestAborted))
            .Select(f => new TriggerFiringDto(f.Key, f.JobId, f.Skipped, f.At)).ToList());

    private static async Task<Ok<PipelineSettingsDto>> GetSettings(HttpContext context, AccessService access, ExecutorCatalog executors, string p)
    {
        var project = await access.RequireAsync(p, context.GetCaller(), AccessLevel.Read, context.RequestAborted);
        return TypedResults.Ok(new PipelineSettingsDto(project.Project.JobExecutor, executors.Names.ToList()));
    }

    private static async Task<Ok<PipelineSettingsDto>> PutSettings(
        HttpContext context, AccessService access, ExecutorCatalog executors, ArchiveDbContext db, string p, PutPipelineSettingsRequest body)
    {
        var project = await access.RequireAsync(p, context.GetCaller(), AccessLevel.Manage, context.RequestAborted);
        var executor = string.IsNullOrWhiteSpace(body.Executor) ? null : body.Executor;
        if (executor is not null && !executors.Has(executor))
            throw Archive.TesseraException.Invalid($"There is no executor '{executor}' on this site (it has {string.Join(", ", executors.Names)}).");
        await db.Projects.Where(x => x.Id == project.Project.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.JobExecutor, executor), context.RequestAborted);
        return TypedResults.Ok(new PipelineSettingsDto(executor, executors.Names.ToList()));
    }

    internal static TriggerDto ToDto(TriggerView view)
    {
        var r = view.Rule;
        using var inputs = JsonDocument.Parse(r.Inputs);
        JsonElement? fields = null;
        if (r.SessionFields is { } f)
        {
            using var parsed = JsonDocument.Parse(f);
            fields = parsed.RootElement.Clone();
        }
        return new TriggerDto(r.Name, view.Project, view.Tool, r.Event, r.QuietSeconds, r.FileGlob, r.Level, r.SessionType, fields,
            inputs.RootElement.Clone(), r.Executor, r.Enabled, view.Fired, view.LastFiredAt, r.CreatedAt, r.UpdatedAt);
    }
}
