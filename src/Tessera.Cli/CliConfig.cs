using System.Text.Json;

namespace Tessera.Cli;

/// <summary>
/// The CLI's saved login: <c>$XDG_CONFIG_HOME/tessera/config.json</c> (default
/// <c>~/.config/tessera/config.json</c>), mode 600. <c>TESSERA_URL</c> and <c>TESSERA_TOKEN</c> override it.
/// </summary>
internal sealed record CliConfig(string Url, string Token)
{
    public static string FilePath
    {
        get
        {
            var root = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
            if (string.IsNullOrEmpty(root))
            {
                root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
            }
            return Path.Combine(root, "tessera", "config.json");
        }
    }

    public static CliConfig? Load()
    {
        var url = Environment.GetEnvironmentVariable("TESSERA_URL");
        var token = Environment.GetEnvironmentVariable("TESSERA_TOKEN");
        if (!string.IsNullOrEmpty(url) && !string.IsNullOrEmpty(token))
        {
            return new CliConfig(url, token);
        }
        if (!File.Exists(FilePath))
        {
            return null;
        }
        var saved = JsonSerializer.Deserialize<CliConfig>(File.ReadAllText(FilePath), JsonSerializerOptions.Web);
        return saved is null ? null : new CliConfig(string.IsNullOrEmpty(url) ? saved.Url : url,
            string.IsNullOrEmpty(token) ? saved.Token : token);
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
}
