using System.Data.Common;
using System.Net;
using Microsoft.Extensions.Options;
using Spectre.Console;
using Tessera.Archive.Data;
using Tessera.Client;

namespace Tessera.Cli.Commands;

/// <summary>Turns failures into one clear message on stderr and an exit code.</summary>
internal static class CommandErrors
{
    public static async Task<int> RunAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (TesseraApiException e)
        {
            Error(e.Errors.Count == 0 ? e.Message : $"{e.Message}\n  " + string.Join("\n  ", e.Errors));
            return e.Status is HttpStatusCode.Unauthorized ? ExitCodes.Unauthorized : ExitCodes.Failure;
        }
        catch (OptionsValidationException e)
        {
            Error("The configuration is not valid:\n  " + string.Join("\n  ", e.Failures));
            return ExitCodes.Usage;
        }
        catch (NotLoggedInException e)
        {
            Error(e.Message);
            return ExitCodes.Unauthorized;
        }
        catch (Exception e) when (e is ArchivePathNotFoundException or ForbiddenException)
        {
            Error(e.Message);
            return ExitCodes.Failure;
        }
        catch (UsageException e)
        {
            Error(e.Message);
            return ExitCodes.Usage;
        }
        catch (DatabaseNotReadyException e)
        {
            Error(e.Message);
            return ExitCodes.Failure;
        }
        catch (DbException e)
        {
            Error($"The database refused the operation: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (HttpRequestException e)
        {
            Error($"Cannot reach the server: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (IOException e)
        {
            Error(e.Message);
            return ExitCodes.Failure;
        }
        catch (UnauthorizedAccessException e)
        {
            Error(e.Message);
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug or an unforeseen environment: one line by default, the whole trace on request.
            Error(Environment.GetEnvironmentVariable("TESSERA_DEBUG") is "1" or "true"
                ? e.ToString()
                : $"{e.Message} ({e.GetType().Name}; set TESSERA_DEBUG=1 for details)");
            return ExitCodes.Failure;
        }
    }

    public static void Error(string message) =>
        Console.Error.WriteLine($"error: {message}");

    public static TesseraClient Connect()
    {
        var config = CliConfig.Load()
            ?? throw new NotLoggedInException();
        return new TesseraClient(new Uri(config.Url.TrimEnd('/') + "/"), config.Token);
    }

    internal static void WriteMarkup(string markup) => AnsiConsole.MarkupLine(markup);
}
