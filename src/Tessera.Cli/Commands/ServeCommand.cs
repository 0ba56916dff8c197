using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Tessera.Server;

namespace Tessera.Cli.Commands;

/// <summary><c>tessera serve</c>: the whole platform in one process.</summary>
internal static class ServeCommand
{
    public static readonly Option<string?> DataOption = new("--data")
    {
        Description = "Folder for the embedded database and blobs (default ./tessera-data); sets Storage:DataDirectory.",
    };

    public static readonly Option<string?> UrlsOption = new("--urls")
    {
        Description = $"URL(s) to listen on, ';'-separated (default {TesseraServer.DefaultUrl}).",
    };

    public static readonly Option<int?> DicomPortOption = new("--dicom-port")
    {
        Description = "TCP port of the DICOM node (default 11112; 0 turns it off); sets Dicom:Port.",
    };

    public static readonly Option<string?> DicomHostOption = new("--dicom-host")
    {
        Description = "Address of the DICOM node: * for every interface, an IP address or localhost (default: loopback when --urls is loopback, else every interface); sets Dicom:Host.",
    };

    public static readonly Option<string?> DicomAeOption = new("--dicom-ae")
    {
        Description = "AE title of the DICOM node (default TESSERA); sets Dicom:AeTitle.",
    };

    public static Command Create()
    {
        var command = new Command("serve", "Start the Tessera server (web, API, DICOM node) on embedded defaults or the configured database and storage.")
        {
            DataOption, UrlsOption, DicomPortOption, DicomHostOption, DicomAeOption,
        };
        command.SetAction((result, ct) => CommandErrors.RunAsync(async () =>
        {
            await using var app = TesseraServer.Build([], Settings(result));
            var (admin, generated) = await TesseraServer.PrepareAsync(app, Environment.GetEnvironmentVariable("TESSERA_ADMIN_PASSWORD"), ct);
            if (generated is not null)
            {
                Console.WriteLine();
                Console.WriteLine("Created the administrator account. It is shown only this once:");
                Console.WriteLine($"  username: admin");
                Console.WriteLine($"  password: {generated}");
                Console.WriteLine("(Set TESSERA_ADMIN_PASSWORD before the first start to choose it.)");
                Console.WriteLine();
            }
            await app.StartAsync(ct);
            foreach (var line in Tessera.Server.Hosting.StartupSummary.Lines(app, admin))
                Console.WriteLine(line);
            await app.WaitForShutdownAsync(ct);
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>The command-line options as configuration keys; they override every other source.</summary>
    public static Dictionary<string, string?> Settings(ParseResult result)
    {
        var settings = new Dictionary<string, string?>();
        if (result.GetValue(DataOption) is { } data)
        {
            settings["Storage:DataDirectory"] = data;
        }
        if (result.GetValue(UrlsOption) is { } urls)
        {
            settings["urls"] = urls;
        }
        if (result.GetValue(DicomPortOption) is { } port)
        {
            settings["Dicom:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (result.GetValue(DicomHostOption) is { } host)
        {
            settings["Dicom:Host"] = host;
        }
        if (result.GetValue(DicomAeOption) is { } ae)
        {
            settings["Dicom:AeTitle"] = ae;
        }
        return settings;
    }
}
