using System.CommandLine;
using LineWatch.Configuration;

namespace LineWatch.Agent.Cli;

/// <summary>
/// `linewatch hash-password [--token]`: reads a secret from standard input (so it stays out of the shell's
/// history and the process list) and prints what goes into the configuration instead of it.
/// </summary>
internal static class HashPasswordCommand
{
    public static Command Create()
    {
        var token = new Option<bool>("--token") { Description = "Print the SHA-256 for Dashboard:Auth:TokenSha256 instead of a password hash" };
        var command = new Command("hash-password", "Hash a dashboard password (Dashboard:Auth:PasswordHash) or token read from standard input") { token };
        command.SetAction(parse =>
        {
            if (!Console.IsInputRedirected) Console.Error.Write(parse.GetValue(token) ? "token: " : "password: ");
            var secret = Console.In.ReadLine()?.TrimEnd('\r') ?? "";
            if (secret.Length < 8)
            {
                Console.Error.WriteLine("linewatch: the secret must be at least 8 characters");
                return ExitCodes.Failure;
            }
            Console.WriteLine(parse.GetValue(token) ? PasswordHash.TokenSha256(secret) : PasswordHash.Create(secret));
            return ExitCodes.Ok;
        });
        return command;
    }
}
