using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Tessera.Archive.Data;
using Tessera.Archive.Hierarchy;
using Tessera.Client.Contracts;
using Tessera.Pipelines.Jobs;
using Tessera.Server.Auth;

namespace Tessera.Server.Api;

/// <summary>Jobs: submitted to a project by its members, seen by its readers, cancelled by its members.</summary>
public static class JobEndpoints
{
    public static IEndpointRouteBuilder MapJobEndpoints(this IEndpointRouteBuilder app)
    {
        var project = app.MapGroup("/api/projects/{p}/jobs").WithTags("Jobs");
        project.MapGet("/", List).WithAccess(AccessRule.ProjectRead);
        project.MapPost("/", Submit).WithAccess(AccessRule.ProjectWrite);
        // A job belongs to one project: its rules are that project's.
        var jobs = app.MapGroup("/api/jobs/{job:guid}").WithTags("Jobs");
        jobs.MapGet("/", Get).WithAccess(AccessRule.ProjectRead);
        jobs.MapPost("/cancel", Cancel).WithAccess(AccessRule.ProjectWrite);
        jobs.MapGet("/log", JobLogStream.WriteAsync).WithAccess(AccessRule.ProjectRead);
        return app;
    }

    private static async Task<Ok<PageDto<JobDto>>> List(
        HttpContext context, JobService jobs, string p, string? state, string? tool, string? target, Guid? batch, int? offset, int? limit)
    {
        var page = await jobs.ListAsync(context.GetCaller(), p, state, tool, target, Paging.From(offset, limit), context.RequestAborted, batch);
        return TypedResults.Ok(new PageDto<JobDto>(page.Items.Select(v => ToDto(v, null)).ToList(), page.Total, page.Offset, page.Limit));
    }

    private static async Task<Created<JobDto>> Submit(HttpContext context, JobService jobs, string p, SubmitJobRequest body)
    {
        var view = await jobs.SubmitAsync(context.GetCaller(), p, new JobRequest(
            body.Tool, body.Target, body.Inputs, body.TimeoutSeconds, body.MaxAttempts, body.RetryDelaySeconds, body.Executor), context.RequestAborted);
        return TypedResults.Created($"/api/jobs/{view.Job.Id}", ToDto(view, null));
    }

    private static async Task<Ok<JobDto>> Get(HttpContext context, JobService jobs, Guid job)
    {
        var caller = context.GetCaller();
        var view = await jobs.GetAsync(caller, job, context.RequestAborted);
        return TypedResults.Ok(ToDto(view, await jobs.EventsAsync(caller, job, context.RequestAborted)));
    }

    private static async Task<Ok<JobDto>> Cancel(HttpContext context, JobService jobs, Guid job) =>
        TypedResults.Ok(ToDto(await jobs.CancelAsync(context.GetCaller(), job, context.RequestAborted), null));

    internal static JobDto ToDto(JobView view, IReadOnlyList<JobEvent>? events)
    {
        var j = view.Job;
        using var inputs = JsonDocument.Parse(j.Inputs);
        return new JobDto(j.Id, view.Project, view.Tool, j.Target, j.State, inputs.RootElement.Clone(), j.Executor, j.ExecutorId,
            j.Attempt, j.MaxAttempts, j.TimeoutSeconds, j.ExitCode, j.Reason, j.CancelRequested, j.CreatedAt, j.StartedAt, j.FinishedAt,
            j.UpdatedAt, j.AssessmentId, events?.Select(e => new JobEventDto(e.State, e.Attempt, e.At, e.Detail)).ToList(), view.SubmittedBy, j.BatchId, j.TriggerId);
    }
}
