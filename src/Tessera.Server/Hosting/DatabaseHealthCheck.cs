using Microsoft.Extensions.Diagnostics.HealthChecks;
using Tessera.Archive.Data;

namespace Tessera.Server.Hosting;

/// <summary>Ready means the database answers.</summary>
public sealed class DatabaseHealthCheck(ArchiveDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await db.Database.CanConnectAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The database does not answer.");
}
