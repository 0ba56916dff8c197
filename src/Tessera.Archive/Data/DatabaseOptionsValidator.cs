using Microsoft.Extensions.Options;

namespace Tessera.Archive.Data;

internal sealed class DatabaseOptionsValidator : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options)
    {
        if (options.Provider is not ("sqlite" or "postgres"))
        {
            return ValidateOptionsResult.Fail(
                $"Database:Provider is '{options.Provider}'; set it to 'sqlite' or 'postgres'.");
        }
        if (options.IsPostgres && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return ValidateOptionsResult.Fail(
                "Database:Provider is 'postgres' but Database:ConnectionString is empty; set it, e.g. 'Host=127.0.0.1;Port=5432;Database=tessera;Username=tessera;Password=…'.");
        }
        return ValidateOptionsResult.Success;
    }
}
