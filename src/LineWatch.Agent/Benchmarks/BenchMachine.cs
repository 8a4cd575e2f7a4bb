namespace LineWatch.Agent.Benchmarks;

/// <summary>What the benchmarks say about the machine they ran on.</summary>
internal static class BenchMachine
{
    /// <summary>The processor's model name as the kernel reports it (what `lscpu` prints).</summary>
    public static string CpuModel()
    {
        foreach (var line in File.ReadLines("/proc/cpuinfo"))
        {
            if (line.StartsWith("model name", StringComparison.Ordinal)) return line[(line.IndexOf(':') + 1)..].Trim();
        }
        return "unknown CPU";
    }

    /// <summary>VmHWM: the most resident memory a process (this one by default) has had.</summary>
    public static double PeakRssMb(string process = "self")
    {
        foreach (var line in File.ReadLines($"/proc/{process}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
        }
        return double.NaN;
    }

    /// <summary>CPU time (user + system) a process has used so far, from /proc/PID/stat.</summary>
    public static TimeSpan CpuTime(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        const double ticksPerSecond = 100; // USER_HZ, 100 on every Linux architecture we build for
        return TimeSpan.FromSeconds((long.Parse(fields[11]) + long.Parse(fields[12])) / ticksPerSecond);
    }
}
