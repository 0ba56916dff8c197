using Spectre.Console;

namespace Tessera.Cli;

/// <summary>
/// Spectre.Console (tables, prompts) writes ANSI escape codes only to a terminal: when standard
/// output is redirected, or NO_COLOR or TERM=dumb is set, it writes plain text.
/// </summary>
internal static class ConsoleSetup
{
    public static void Apply()
    {
        var plain = Console.IsOutputRedirected
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
            || Environment.GetEnvironmentVariable("TERM") is "dumb";
        if (plain)
        {
            AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
            });
        }
    }
}
