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
}
