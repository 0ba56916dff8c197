using System.Data.Common;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Tessera.Archive.Data;
using Tessera.Archive.Storage;
using Tessera.Pipelines;
using Tessera.Pipelines.Executors;
using Tessera.Server.DicomNetwork;

namespace Tessera.Server.Hosting;

/// <summary>What the first start of the admin account did: created with a generated password, created with the given one, or found.</summary>
public enum AdminAccount
{
    Existing,
    CreatedWithGivenPassword,
    CreatedWithGeneratedPassword,
}

/// <summary>
/// The lines <c>tessera serve</c> prints once it serves: where the web and DICOM listeners are, where the data,
/// database and files live, what became of the admin account, and how tools are confined. Never a secret.
/// </summary>
public static class StartupSummary
{
    public static IReadOnlyList<string> Lines(WebApplication app, AdminAccount admin)
    {
        ArgumentNullException.ThrowIfNull(app);
        var services = app.Services;
        var storage = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        var database = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var dicom = services.GetRequiredService<IOptions<DicomOptions>>().Value;
        var addresses = services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
            .Where(a => !a.Contains("unix:", StringComparison.Ordinal)).ToList() ?? [];
        var listener = services.GetServices<IHostedService>().OfType<DicomListener>().FirstOrDefault();
        return
        [
            "Tessera is serving.",
            $"  web and API:  {(addresses.Count == 0 ? "(none)" : string.Join(", ", addresses))}",
            $"  DICOM:        {Dicom(dicom, listener)}",
            $"  data folder:  {Path.GetFullPath(storage.DataDirectory)}",
            $"  database:     {Database(database, storage)}",
            $"  files:        {Path.GetFullPath(storage.ResolveBlobDirectory())}",
            $"  admin:        {admin switch
            {
                AdminAccount.CreatedWithGeneratedPassword => "created now: user admin, with the password shown above",
                AdminAccount.CreatedWithGivenPassword => "created now: user admin, with the password in TESSERA_ADMIN_PASSWORD",
                _ => "exists already (not changed)",
            }}",
            $"  tools:        {Tools(services)}",
        ];
    }

    private static string Dicom(DicomOptions dicom, DicomListener? listener)
    {
        if (dicom.Port == 0 && dicom.Tls.Port == 0)
            return "off (Dicom:Port and Dicom:Tls:Port are 0)";
        var address = listener?.Address;
        var where = new List<string>();
        if (dicom.Port != 0)
            where.Add(DicomBinding.Describe(address, dicom.Port));
        if (dicom.Tls.Port != 0)
            where.Add($"{DicomBinding.Describe(address, dicom.Tls.Port)} over TLS");
        var scope = address is not null && System.Net.IPAddress.IsLoopback(address) ? " (this machine only; --dicom-host * opens it to the network)" : "";
        return $"{dicom.AeTitle} on {string.Join(" and ", where)}{scope}";
    }

    /// <summary>The provider and where it is, without credentials.</summary>
    private static string Database(DatabaseOptions database, StorageOptions storage)
    {
        if (!database.IsPostgres)
            return database.ConnectionString is null
                ? $"sqlite, {Path.Combine(Path.GetFullPath(storage.DataDirectory), "tessera.db")}"
                : $"sqlite, {Value(database.ConnectionString, "Data Source") ?? "(from Database:ConnectionString)"}";
        var host = Value(database.ConnectionString, "Host") ?? Value(database.ConnectionString, "Server") ?? "?";
        var port = Value(database.ConnectionString, "Port");
        var name = Value(database.ConnectionString, "Database") ?? "(default)";
        return $"postgres, database {name} on {host}{(port is null ? "" : ":" + port)}";
    }

    private static string? Value(string? connectionString, string key)
    {
        try
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = connectionString ?? "" };
            return builder.TryGetValue(key, out var value) && value?.ToString() is { Length: > 0 } text ? text : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static string Tools(IServiceProvider services)
    {
        if (!services.GetRequiredService<IOptions<PipelineOptions>>().Value.RunJobs)
            return "not run on this node (Pipelines:RunJobs is false)";
        var confinement = services.GetRequiredService<LocalExecutor>().Confinement;
        var account = ToolUser.Needed ? confinement.RunAsUser : Environment.UserName;
        if (confinement.Refusal() is { } refusal)
            return $"refused: {refusal}";
        return confinement.Sandboxed
            ? $"in the bubblewrap sandbox, as {account}"
            : $"UNCONFINED (Pipelines:Local:Sandbox is none), as {account}";
    }
}
