using System.Collections.Concurrent;
using System.Diagnostics;

namespace LineWatch.IntegrationTests.Support;

/// <summary>The real `linewatch` executable run as a child process, with its output captured line by line.</summary>
internal sealed partial class AgentProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private AgentProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output => string.Join("\n", _lines);
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public static AgentProcess Start(params string[] arguments) => Start(new Dictionary<string, string>(), arguments);

    public static AgentProcess Start(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var info = new ProcessStartInfo(TestPaths.Agent) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        info.Environment.Remove("LINEWATCH_CONFIG");
        foreach (var (key, value) in environment) info.Environment[key] = value;
        return new AgentProcess(Process.Start(info)!);
    }

    /// <summary>
    /// Starts the agent in a mount namespace of its own (needs root) where <paramref name="hostsFile"/> stands in for
    /// /etc/hosts, so a test can make a host name resolve later without touching the machine's resolver. Append to the
    /// file in place: the bind mount follows the file, not its name.
    /// </summary>
    public static AgentProcess StartWithHosts(string hostsFile, params string[] arguments)
    {
        var info = new ProcessStartInfo("/usr/bin/unshare") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        // unshare and sh both exec: the process started here is the agent itself, so signals reach it.
        foreach (var argument in new[] { "--mount", "--propagation", "private", "/bin/sh", "-c", "mount --bind \"$0\" /etc/hosts && exec \"$@\"", hostsFile, TestPaths.Agent }.Concat(arguments))
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment.Remove("LINEWATCH_CONFIG");
        return new AgentProcess(Process.Start(info)!);
    }

    /// <summary>Runs to completion and returns (exit code, all output).</summary>
    public static (int ExitCode, string Output) Run(params string[] arguments) => Run(new Dictionary<string, string>(), arguments);

    public static (int ExitCode, string Output) Run(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        using var agent = Start(environment, arguments);
        if (!agent._process.WaitForExit(TimeSpan.FromSeconds(60))) throw new TimeoutException("linewatch " + string.Join(" ", arguments) + " did not finish");
        agent._process.WaitForExit(); // flushes the asynchronous output readers
        return (agent.ExitCode, agent.Output);
    }

    public bool WaitForOutput(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_lines.Any(l => l.Contains(text, StringComparison.Ordinal))) return true;
            if (_process.HasExited) return _lines.Any(l => l.Contains(text, StringComparison.Ordinal));
            Thread.Sleep(50);
        }
        return false;
    }

    public void Signal(int signal)
    {
        if (Native.Kill(_process.Id, signal) != 0) throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed");
    }

    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) return false;
        _process.WaitForExit();
        return true;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process.Dispose();
    }

    private static partial class Native
    {
        [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill")]
        public static partial int Kill(int pid, int signal);
    }

    public const int SigTerm = 15;
    public const int SigInt = 2;
}
