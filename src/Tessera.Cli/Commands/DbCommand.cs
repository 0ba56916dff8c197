using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tessera.Archive.Data;
using Tessera.Server;

namespace Tessera.Cli.Commands;

/// <summary><c>tessera db migrate</c>: brings the configured database to the current schema.</summary>
internal static class DbCommand
{
    public static Command Create()
    {
        var migrate = new Command("migrate", "Apply pending schema migrations to the configured database (SQLite or PostgreSQL).")
        {
            ServeCommand.DataOption,
        };
        migrate.SetAction((result, ct) => CommandErrors.RunAsync(async () =>
        {
            var settings = ServeCommand.Settings(result);
            // On a fresh PostgreSQL database EF reads the history table before creating it and logs
            // that expected failure as an error; a real failure still ends the command with its message.
            settings["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "None";
            await using var app = TesseraServer.Build([], settings);
            await using var scope = app.Services.CreateAsyncScope();
            var database = scope.ServiceProvider.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            var applied = await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().MigrateAsync(ct);
            Console.WriteLine(applied.Count == 0
                ? $"The {database.Provider} database is up to date."
                : $"Applied {Words.Count(applied.Count, "migration")} to the {database.Provider} database: {string.Join(", ", applied)}");
            return ExitCodes.Success;
        }));
        return new Command("db", "Database administration.") { migrate };
    }
}
