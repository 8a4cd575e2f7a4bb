using System.Diagnostics;
using System.Text.RegularExpressions;
using LineWatch.IntegrationTests.Support;

namespace LineWatch.IntegrationTests.Install;

/// <summary>
/// The unit's <c>SystemCallFilter=@system-service</c> against the system calls the agent really makes: the agent runs
/// under strace (every child followed: the embedded Mosquitto, the ffmpeg relay of an RTSP camera) with analysis,
/// MQTT and the dashboard busy, and every call it made must be in the set systemd expands that filter to. This is
/// not the real service (systemd is not PID 1 here), so what systemd itself adds or refuses is not covered.
/// </summary>
[Collection(LearnedLineCollection.Name)]
public sealed class ServiceSystemCallTests(LearnedLine line) : IDisposable
{
    private readonly TempDirectory _dir = new();

    [StraceFact]
    public async Task Every_system_call_the_agent_makes_is_in_the_units_filter()
    {
        var allowed = FilterSet("@system-service");
        Assert.Contains("openat", allowed); // the expansion worked
        using var camera = new RtspServer();
        var (mqtt, dashboard) = (MosquittoBroker.FreePort(), MosquittoBroker.FreePort());
        var config = _dir.File("linewatch.json");
        File.WriteAllText(config, $$"""
            {
              "AgentId": "it-agent", "DataDir": "{{line.NewDataDir(_dir.File("data"))}}",
              "Cameras": [ { "Name": "line", "Source": "{{line.Faulty.VideoPath}}", "Loop": true }, { "Name": "rtsp", "Source": "{{camera.Url}}" } ],
              "Model": { "Path": "{{line.ModelPath}}", "Device": "cpu" },
              "Mqtt": { "Mode": "embedded", "Port": {{mqtt}} },
              "Dashboard": { "Urls": "http://127.0.0.1:{{dashboard}}" },
              "ShutdownTimeoutSeconds": 5
            }
            """);
        var summary = _dir.File("syscalls.txt");
        var info = new ProcessStartInfo("/usr/bin/strace", ["-f", "-qq", "-c", "-o", summary, TestPaths.Agent, "run", "--config", config])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        info.Environment.Remove("LINEWATCH_CONFIG");
        using var traced = Process.Start(info)!;
        var output = new System.Text.StringBuilder();
        traced.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        traced.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        traced.BeginOutputReadLine();
        traced.BeginErrorReadLine();
        try
        {
            string Output() { lock (output) return output.ToString(); }
            Eventually.True(() => Output().Contains("Analysis started") && Output().Contains("Dashboard on"), TimeSpan.FromSeconds(120), "the agent to start under strace");
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{dashboard}") };
            for (var i = 0; i < 10; i++)
            {
                await http.GetStringAsync("/api/state");
                await Task.Delay(1000);
            }
            Assert.Contains("\"rtsp\"", await http.GetStringAsync("/api/state"));
        }
        finally
        {
            // SIGTERM to the agent (strace's child), so shutdown is traced too; strace writes its summary when it ends.
            foreach (var pid in Children(traced.Id)) ShellCommand.Run("kill", "-TERM", pid.ToString());
            if (!traced.WaitForExit(TimeSpan.FromSeconds(60))) traced.Kill(entireProcessTree: true);
        }

        var used = File.ReadAllLines(summary).Select(l => l.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(cols => cols.Length >= 5 && double.TryParse(cols[0], out _) && cols[^1] != "total").Select(cols => cols[^1]).ToHashSet();
        Assert.True(used.Count > 40, $"strace summary looks empty: {File.ReadAllText(summary)}");
        var outside = used.Where(call => !allowed.Contains(call)).Order().ToList();
        Assert.True(outside.Count == 0, $"the agent makes calls @system-service does not allow: {string.Join(", ", outside)}");
    }

    /// <summary>The system calls a systemd filter group stands for, its nested groups expanded (systemd-analyze syscall-filter).</summary>
    private static HashSet<string> FilterSet(string group)
    {
        var (exitCode, text) = ShellCommand.Run("systemd-analyze", "syscall-filter");
        Assert.True(exitCode == 0, text);
        var groups = new Dictionary<string, List<string>>();
        List<string>? current = null;
        foreach (var raw in text.Split('\n'))
        {
            if (raw.StartsWith('@')) groups[raw.Trim()] = current = [];
            else if (raw.Trim() is { Length: > 0 } member && !member.StartsWith('#') && char.IsWhiteSpace(raw[0])) current?.Add(member);
        }
        var calls = new HashSet<string>();
        void Expand(string name)
        {
            foreach (var member in groups[name])
            {
                if (member.StartsWith('@')) Expand(member);
                else calls.Add(member);
            }
        }
        Expand(group);
        return calls;
    }

    private static IEnumerable<int> Children(int pid) =>
        Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(e => int.TryParse(e, out _)).Select(int.Parse!)
            .Where(p => File.Exists($"/proc/{p}/stat") && Regex.Match(SafeRead($"/proc/{p}/stat"), @"\) \S (\d+)") is { Success: true } m && m.Groups[1].Value == pid.ToString());

    private static string SafeRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
    }

    public void Dispose() => _dir.Dispose();
}
