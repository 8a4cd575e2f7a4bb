using System.Diagnostics;

namespace LineWatch.IntegrationTests.Support;

/// <summary>Runs a program to completion and gives back its exit code and everything it printed.</summary>
internal static class ShellCommand
{
    public static (int ExitCode, string Output) Run(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        // Both streams at once: a program that fills one pipe while we wait on the other would hang.
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2))) throw new TimeoutException($"{file} {string.Join(" ", arguments)} did not finish");
        return (process.ExitCode, stdout + stderr.GetAwaiter().GetResult());
    }
}
