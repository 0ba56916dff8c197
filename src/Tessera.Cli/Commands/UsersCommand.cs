using System.CommandLine;
using Spectre.Console;
using Tessera.Client.Contracts;

namespace Tessera.Cli.Commands;

/// <summary><c>tessera users add</c>: creates a user through the API (administrators only).</summary>
internal static class UsersCommand
{
    public static Command Create()
    {
        var username = new Argument<string>("username");
        var email = new Option<string?>("--email") { Description = "E-mail address." };
        var admin = new Option<bool>("--admin") { Description = "Make the user a site administrator." };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the new user's password from standard input." };
        var add = new Command("add", "Create a user (you must be an administrator).") { username, email, admin, passwordStdin };
        add.SetAction((result, ct) => CommandErrors.RunAsync(async () =>
        {
            using var client = CommandErrors.Connect();
            var password = result.GetValue(passwordStdin) ? (await Console.In.ReadLineAsync(ct) ?? "")
                : Environment.GetEnvironmentVariable("TESSERA_NEW_PASSWORD")
                  ?? AnsiConsole.Prompt(new TextPrompt<string>("Password for the new user:").Secret());
            var user = await client.CreateUserAsync(
                new CreateUserRequest(result.GetValue(username)!, password, result.GetValue(email), result.GetValue(admin)), ct);
            Console.WriteLine($"Created user {user.Username}{(user.Admin ? " (administrator)" : "")}.");
            return ExitCodes.Success;
        }));
        return new Command("users", "User administration.") { add };
    }
}
