using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using Spectre.Console;
using Tessera.Client.Contracts;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera users add|list|disable|enable|reset-password</c>: user administration through the API
/// (site administrators only; the server answers 403 to others, which is said plainly).
/// </summary>
internal static class UsersCommand
{
    public static Command Create() => new("users", "User administration (site administrators).")
    {
        AddCommand(), ListCommand(), DisabledCommand("disable", true), DisabledCommand("enable", false), ResetPasswordCommand(),
    };

    private static Command AddCommand()
    {
        var username = new Argument<string>("username");
        var email = new Option<string?>("--email") { Description = "E-mail address." };
        var admin = new Option<bool>("--admin") { Description = "Make the user a site administrator." };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the new user's password from standard input." };
        var add = new Command("add", "Create a user (you must be an administrator).") { username, email, admin, passwordStdin };
        add.SetAction((result, ct) => CommandErrors.RunAsync(async () =>
        {
            using var client = CommandErrors.Connect();
            var password = result.GetValue(passwordStdin) ? await LoginCommand.ReadPasswordLineAsync(ct)
                : Environment.GetEnvironmentVariable("TESSERA_NEW_PASSWORD")
                  ?? (Console.IsInputRedirected
                      ? throw new UsageException("Standard input is not a terminal: give the new user's password with --password-stdin or TESSERA_NEW_PASSWORD.")
                      : AnsiConsole.Prompt(new TextPrompt<string>("Password for the new user:").Secret()));
            var user = await AdminOnly(() => client.CreateUserAsync(
                new CreateUserRequest(result.GetValue(username)!, password, result.GetValue(email), result.GetValue(admin)), ct));
            Console.WriteLine($"Created user {user.Username}{(user.Admin ? " (administrator)" : "")}.");
            return ExitCodes.Success;
        }));
        return add;
    }

    private static Command ListCommand()
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array (for scripts)." };
        var list = new Command("list", "List every user: name, e-mail, administrator, disabled.") { json };
        list.SetAction((result, ct) => CommandErrors.RunAsync(async () =>
        {
            using var client = CommandErrors.Connect();
            var users = await AdminOnly(() => client.ListUsersAsync(ct));
            Listing.Print(result.GetValue(json), users.OrderBy(u => u.Username, StringComparer.Ordinal).ToList(),
                ["USERNAME", "EMAIL", "ADMIN", "STATE", "CREATED"],
                u => [u.Username, u.Email ?? "-", u.Admin ? "admin" : "-", u.Disabled ? "disabled" : "active",
                    u.CreatedAt.ToUniversalTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)]);
            return ExitCodes.Success;
        }));
        return list;
    }

    private static Command DisabledCommand(string name, bool disabled)
    {
        var username = new Argument<string>("username");
        var command = new Command(name, disabled
            ? "Disable a user: they can no longer sign in, and their tokens stop working."
            : "Enable a disabled user again.") { username };
        command.SetAction((result, ct) => CommandErrors.RunAsync(async () =>
        {
            using var client = CommandErrors.Connect();
            var user = await AdminOnly(() => client.UpdateUserAsync(result.GetValue(username)!, new UpdateUserRequest(Disabled: disabled), ct));
            Console.WriteLine($"{user.Username} is {(user.Disabled ? "disabled" : "enabled")}.");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command ResetPasswordCommand()
    {
        var username = new Argument<string>("username");
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the new password from standard input instead of generating one." };
        var command = new Command("reset-password", "Set a new password for a user: a generated one, printed once, or one from --password-stdin.")
        {
            username, passwordStdin,
        };
        command.SetAction((result, ct) => CommandErrors.RunAsync(async () =>
        {
            using var client = CommandErrors.Connect();
            var given = result.GetValue(passwordStdin);
            var password = given ? await LoginCommand.ReadPasswordLineAsync(ct) : GeneratePassword();
            var user = await AdminOnly(() => client.UpdateUserAsync(result.GetValue(username)!, new UpdateUserRequest(Password: password), ct));
            if (given)
            {
                Console.WriteLine($"Set the password of {user.Username}.");
            }
            else
            {
                Console.Error.WriteLine($"New password of {user.Username} (shown only this once; pass it on safely):");
                Console.WriteLine(password);
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>20 characters from an alphabet without look-alikes (no 0/O, 1/l/I): about 115 bits.</summary>
    internal static string GeneratePassword() =>
        RandomNumberGenerator.GetString("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 20);

    /// <summary>A 403 from an administrators' route, said plainly.</summary>
    private static async Task<T> AdminOnly<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Tessera.Client.TesseraApiException e) when (e.Status == System.Net.HttpStatusCode.Forbidden)
        {
            throw new ForbiddenException("Only site administrators manage users; `tessera whoami` shows whether you are one.");
        }
    }
}
