using System.Text.Json;

namespace Tessera.Cli;

/// <summary>
/// The CLI's saved login: <c>$XDG_CONFIG_HOME/tessera/config.json</c> (default
/// <c>~/.config/tessera/config.json</c>), mode 600. <c>TESSERA_URL</c> and <c>TESSERA_TOKEN</c> override it.
/// </summary>
/// <param name="TokenId">The token's id, so that <c>tessera logout</c> can revoke it (absent in configs saved before it was kept).</param>
/// <param name="Username">Who logged in.</param>
/// <param name="ExpiresAt">When the token expires.</param>
internal sealed record CliConfig(string Url, string Token, Guid? TokenId = null, string? Username = null, DateTime? ExpiresAt = null)
{
    /// <summary>The folder of the config file and of the CLI's other state (e.g. <c>uploads/</c>).</summary>
    public static string StateDirectory
    {
        get
        {
            var root = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
            if (string.IsNullOrEmpty(root))
            {
                root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
            }
            return Path.Combine(root, "tessera");
        }
    }

    public static string FilePath => Path.Combine(StateDirectory, "config.json");

    /// <summary>Whether TESSERA_TOKEN names the token (then nothing saved is used for it).</summary>
    public static bool TokenFromEnvironment => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("TESSERA_TOKEN"))
        && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("TESSERA_URL"));

    /// <summary>The saved login as it is in the file, without the environment's overrides.</summary>
    public static CliConfig? LoadSaved() => File.Exists(FilePath)
        ? JsonSerializer.Deserialize<CliConfig>(File.ReadAllText(FilePath), JsonSerializerOptions.Web)
        : null;

    public static CliConfig? Load()
    {
        var url = Environment.GetEnvironmentVariable("TESSERA_URL");
        var token = Environment.GetEnvironmentVariable("TESSERA_TOKEN");
        if (!string.IsNullOrEmpty(url) && !string.IsNullOrEmpty(token))
        {
            return new CliConfig(url, token);
        }
        var saved = LoadSaved();
        return saved is null ? null : string.IsNullOrEmpty(token)
            ? saved with { Url = string.IsNullOrEmpty(url) ? saved.Url : url }
            : new CliConfig(string.IsNullOrEmpty(url) ? saved.Url : url, token);
    }

    public void Save()
    {
        var path = FilePath;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        // Created with mode 600 before any secret is written to it.
        using (var stream = new FileStream(temp, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            JsonSerializer.Serialize(stream, this, JsonSerializerOptions.Web);
        }
        File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Removes the saved login; false when there was none.</summary>
    public static bool Delete()
    {
        if (!File.Exists(FilePath))
        {
            return false;
        }
        File.Delete(FilePath);
        return true;
    }
}
