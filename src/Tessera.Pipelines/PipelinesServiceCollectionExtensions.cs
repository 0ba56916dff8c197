using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Pipelines.Assessments;
using Tessera.Pipelines.Batches;
using Tessera.Pipelines.Executors;
using Tessera.Pipelines.Jobs;
using Tessera.Pipelines.Tools;
using Tessera.Pipelines.Triggers;

namespace Tessera.Pipelines;

public static class PipelinesServiceCollectionExtensions
{
    public static IServiceCollection AddTesseraPipelines(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<PipelineOptions>().BindConfiguration(PipelineOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<ToolService>();
        services.AddScoped<JobService>();
        services.AddScoped<AssessmentTypeService>();
        services.AddScoped<AssessmentService>();
        services.AddScoped<BatchService>();
        services.AddScoped<TriggerService>();
        services.AddScoped<TriggerEngine>();
        services.AddSingleton<JobSignal>();
        services.AddSingleton<ServerAddress>();
        services.AddSingleton<ApiSocket>();
        // The executors of the site: one list, in one place.
        services.AddSingleton<LocalExecutor>();
        services.AddSingleton<SlurmExecutor>();
        services.AddSingleton<ContainerExecutor>();
        services.AddSingleton(provider =>
        {
            var site = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<PipelineOptions>>().Value;
            var executors = new List<IJobExecutor> { provider.GetRequiredService<LocalExecutor>() };
            if (site.Slurm.Enabled)
                executors.Add(provider.GetRequiredService<SlurmExecutor>());
            var container = provider.GetRequiredService<ContainerExecutor>();
            if (site.Container.Enabled && container.IsAvailable)
                executors.Add(container);
            return new ExecutorCatalog(executors);
        });
        services.AddSingleton<RemoteJobs>();
        services.AddSingleton<JobRunner>();
        services.AddHostedService<JobDispatcher>();
        services.AddSingleton<TriggerDispatcher>();
        services.AddHostedService(provider => provider.GetRequiredService<TriggerDispatcher>());
        return services;
    }
}
