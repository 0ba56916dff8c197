using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Archive.Hierarchy;
using Tessera.Client.Contracts;
using Tessera.Pipelines.Batches;
using Tessera.Server.Auth;

namespace Tessera.Server.Api;

/// <summary>Batch runs: started by a project's members, followed by its readers (their jobs: GET /api/projects/{p}/jobs?batch=id).</summary>
public static class BatchEndpoints
{
    public static IEndpointRouteBuilder MapBatchEndpoints(this IEndpointRouteBuilder app)
    {
        var project = app.MapGroup("/api/projects/{p}/batches").WithTags("Jobs");
        project.MapGet("/", List).WithAccess(AccessRule.ProjectRead);
        project.MapPost("/", Create).WithAccess(AccessRule.ProjectWrite);
        var batches = app.MapGroup("/api/batches/{batch:guid}").WithTags("Jobs");
        batches.MapGet("/", Get).WithAccess(AccessRule.ProjectRead);
        batches.MapPost("/cancel", Cancel).WithAccess(AccessRule.ProjectWrite);
        return app;
    }

    private static async Task<Ok<PageDto<BatchDto>>> List(HttpContext context, BatchService batches, string p, int? offset, int? limit)
    {
        var page = await batches.ListAsync(context.GetCaller(), p, Paging.From(offset, limit), context.RequestAborted);
        return TypedResults.Ok(new PageDto<BatchDto>(page.Items.Select(ToDto).ToList(), page.Total, page.Offset, page.Limit));
    }

    private static async Task<Created<BatchDto>> Create(HttpContext context, BatchService batches, string p, CreateBatchRequest body)
    {
        var view = await batches.CreateAsync(context.GetCaller(), p, new BatchRequest(body.Tool, body.Inputs, body.Level, body.SessionType, body.Fields,
            body.Sessions, body.ProcessedBy, body.MaxConcurrent, body.TimeoutSeconds, body.MaxAttempts, body.Executor), context.RequestAborted);
        return TypedResults.Created($"/api/batches/{view.Batch.Id}", ToDto(view));
    }

    private static async Task<Ok<BatchDto>> Get(HttpContext context, BatchService batches, Guid batch) =>
        TypedResults.Ok(ToDto(await batches.GetAsync(context.GetCaller(), batch, context.RequestAborted)));

    private static async Task<Ok<BatchDto>> Cancel(HttpContext context, BatchService batches, Guid batch) =>
        TypedResults.Ok(ToDto(await batches.CancelAsync(context.GetCaller(), batch, context.RequestAborted)));

    internal static BatchDto ToDto(BatchView view)
    {
        var b = view.Batch;
        return new BatchDto(b.Id, view.Project, view.Tool, b.Selection, b.Total, b.MaxConcurrent, view.Counts, view.Done, b.CreatedAt, view.FinishedAt);
    }
}
