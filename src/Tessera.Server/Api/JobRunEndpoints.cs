using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Tessera.Archive;
using Tessera.Archive.Storage;
using Tessera.Client.Contracts;
using Tessera.Pipelines.Executors;
using Tessera.Pipelines.Jobs;
using Tessera.Server.Auth;

namespace Tessera.Server.Api;

/// <summary>
/// What <c>tessera job-run</c> on a batch node calls, with the job's own token and nothing else: the
/// job's command and inputs, its start, its log, its outputs and how it ended. They answer only on
/// the node that holds the job (the one whose address the batch script was given).
/// </summary>
public static class JobRunEndpoints
{
    public static IEndpointRouteBuilder MapJobRunEndpoints(this IEndpointRouteBuilder app)
    {
        var run = app.MapGroup("/api/jobs/{job:guid}/run").WithTags("Jobs");
        run.MapGet("/", Spec).WithAccess(AccessRule.JobToken);
        run.MapPost("/started", Started).WithAccess(AccessRule.JobToken);
        run.MapGet("/inputs/{*path}", Input).WithAccess(AccessRule.JobToken);
        run.MapPost("/log", Log).WithAccess(AccessRule.JobToken);
        run.MapPut("/outputs/{*path}", Output).WithAccess(AccessRule.JobToken);
        run.MapPost("/result", Result).WithAccess(AccessRule.JobToken);
        return app;
    }

    private static Ok<JobRunSpecDto> Spec(HttpContext context, RemoteJobs jobs, Guid job)
    {
        var remote = Held(context, jobs, job);
        var spec = remote.Spec;
        return TypedResults.Ok(new JobRunSpecDto(job, remote.Attempt, spec.Tool, spec.Shell, spec.CommandLine, spec.Environment,
            remote.Inputs.Select(i => new JobRunInputDto(i.Path, i.Sha256, i.Size)).ToList(), spec.MemoryGb, spec.Cpus));
    }

    private static NoContent Started(HttpContext context, RemoteJobs jobs, Guid job)
    {
        Held(context, jobs, job).MarkContacted();
        return TypedResults.NoContent();
    }

    private static async Task<FileStreamHttpResult> Input(HttpContext context, RemoteJobs jobs, IBlobStore blobs, Guid job, string path)
    {
        path = context.FilePath(path);
        var file = Held(context, jobs, job).Inputs.FirstOrDefault(i => i.Path == path) ?? throw TesseraException.NotFound($"Input file {path}");
        var stream = await blobs.OpenReadAsync(file.Sha256, context.RequestAborted);
        return TypedResults.File(stream, "application/octet-stream");
    }

    private static NoContent Log(HttpContext context, RemoteJobs jobs, Guid job, JobRunLogDto body)
    {
        var remote = Held(context, jobs, job);
        foreach (var segment in body.Segments ?? [])
            remote.Log.Write(segment.Stream == 2 ? 2 : 1, segment.Text ?? "");
        return TypedResults.NoContent();
    }

    /// <summary>Writes one output file into this node's output/ for the job, checking its Content-Digest when given.</summary>
    private static async Task<NoContent> Output(HttpContext context, RemoteJobs jobs, IOptions<ServerOptions> options, Guid job, string path)
    {
        var remote = Held(context, jobs, job);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = options.Value.MaxUploadBytes;
        path = context.FilePath(path);
        var segments = path.Split('/');
        if (segments.Any(s => s.Length == 0 || s is "." or ".." || s.Contains('\\', StringComparison.Ordinal) || s.Contains('\0', StringComparison.Ordinal)))
            throw TesseraException.Invalid($"The output path '{path}' must be relative to output/, without '.', '..' or empty parts.");
        var expected = ContentDigest.ParseSha256(context.Request.Headers[ContentDigest.HeaderName]);
        var target = Path.Combine(remote.OutputDirectory, Path.Combine(segments));
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var partial = target + ".part-" + Guid.NewGuid().ToString("N");
        try
        {
            string actual;
            await using (var file = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
                }
                actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            }
            if (expected is not null && expected != actual)
                throw TesseraException.Invalid($"Output {path} arrived damaged: its SHA-256 is {actual}, the Content-Digest said {expected}.");
            File.Move(partial, target, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
        return TypedResults.NoContent();
    }

    private static NoContent Result(HttpContext context, RemoteJobs jobs, Guid job, JobRunResultDto body)
    {
        Held(context, jobs, job).Report(new ExecutionResult(body.ExitCode, body.Error));
        return TypedResults.NoContent();
    }

    /// <summary>The job, when the caller is its own token and this node runs it.</summary>
    private static RemoteJob Held(HttpContext context, RemoteJobs jobs, Guid job)
    {
        if (context.GetCaller().JobId != job)
            throw TesseraException.Forbidden("Only the job's own token (TESSERA_TOKEN of the job) may do this.");
        return jobs.Find(job) ?? throw TesseraException.Conflict(
            $"Job {job} is not being run elsewhere by this server: it ended, was cancelled, or is held by another node.");
    }
}
