using System.Text.Json;
using LineWatch.IntegrationTests.Support;

namespace LineWatch.IntegrationTests.Install;

/// <summary>install/install-service.sh --root: the service's whole file layout under a temporary prefix.</summary>
internal static class InstallScript
{
    /// <summary>Installs what the test run already built (--no-build: nothing is compiled, publishing is a copy).</summary>
    public static (int ExitCode, string Output) Run(string root, params string[] options) =>
        ShellCommand.Run("/bin/bash", [Path.Combine(TestPaths.RepositoryRoot, "install", "install-service.sh"), "--root", root, .. options]);

    public static void Install(string root, string release, params string[] options)
    {
        var (exitCode, output) = Run(root, ["--no-build", "--release", release, .. options]);
        Assert.True(exitCode == 0, output);
    }
}

/// <summary>One installation, published once, that the layout tests look at.</summary>
public sealed class InstalledTree : IDisposable
{
    private readonly TempDirectory _dir = new();

    public InstalledTree() => InstallScript.Install(Root, "r1");

    public string Root => _dir.Path;
    public string this[string relative] => Path.Combine(Root, relative);

    public void Dispose() => _dir.Dispose();
}

public sealed class InstallServiceTests(InstalledTree tree) : IClassFixture<InstalledTree>
{
    [Fact]
    public void A_release_holds_the_agent_its_native_libraries_the_model_and_the_demo()
    {
        var release = tree["opt/linewatch/releases/r1"];
        foreach (var file in new[]
                 {
                     "app/linewatch", "app/linewatch.dll", "app/libOpenCvSharpExtern.so", "app/liblinewatch_ortops.so", "app/libonnxruntime.so",
                     "app/libonnxruntime_providers_shared.so", "models/videomambapro-tiny-t8-112.onnx", "share/demo/demo-line.mp4",
                     "share/profiles/demo-line.profile", "bin/linewatch", "RELEASE",
                 })
        {
            Assert.True(File.Exists(Path.Combine(release, file)), file);
        }
        // A release installed without --gpu leaves out ONNX Runtime's 285 MB CUDA provider.
        Assert.False(File.Exists(Path.Combine(release, "app/libonnxruntime_providers_cuda.so")));
        Assert.Equal("releases/r1", new FileInfo(tree["opt/linewatch/current"]).LinkTarget);
        Assert.Equal(tree["opt/linewatch/current/bin/linewatch"], new FileInfo(tree["usr/local/bin/linewatch"]).LinkTarget);
        Assert.True(File.Exists(tree["var/lib/linewatch/profiles/demo-line.profile"]));
        Assert.True(File.Exists(tree["var/lib/linewatch/demo/demo-line.mp4"]));
    }

    [Fact]
    public void The_configuration_points_at_the_installed_model_and_data_directory()
    {
        using var config = JsonDocument.Parse(File.ReadAllText(tree["etc/linewatch/linewatch.json"]));
        var root = config.RootElement;
        Assert.Equal(tree["var/lib/linewatch"], root.GetProperty("DataDir").GetString());
        Assert.Equal(tree["opt/linewatch/current/models/videomambapro-tiny-t8-112.onnx"], root.GetProperty("Model").GetProperty("Path").GetString());
        Assert.Equal("cpu", root.GetProperty("Model").GetProperty("Device").GetString());
        Assert.StartsWith("linewatch-", root.GetProperty("AgentId").GetString());
    }

    [Fact]
    public void Systemd_accepts_the_rendered_unit()
    {
        var unit = tree["etc/systemd/system/linewatch.service"];
        var text = File.ReadAllText(unit);
        Assert.Contains($"ExecStart={tree["opt/linewatch/current/bin/linewatch"]} run", text);
        Assert.Contains($"ReadWritePaths={tree["var/lib/linewatch"]}", text);
        Assert.DoesNotMatch("@[A-Z_]+@", text); // every placeholder filled in

        // verify also checks that ExecStart is executable; any output is a warning (an unknown key is only a warning).
        var (exitCode, output) = ShellCommand.Run("systemd-analyze", "verify", unit);
        Assert.True(exitCode == 0 && output.Trim().Length == 0, output);
    }

    [Fact]
    public void The_unit_caps_memory_well_above_the_measured_peak_and_allows_only_a_services_system_calls()
    {
        var text = File.ReadAllText(tree["etc/systemd/system/linewatch.service"]);
        var memoryMax = System.Text.RegularExpressions.Regex.Match(text, @"^MemoryMax=(\d+)G$", System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.True(memoryMax.Success, "no MemoryMax=<n>G in the unit");
        // Twice the largest RSS measured (768 MB, docs/benchmarks.md#soak) at least: .NET keeps its heap within 75% of the limit.
        Assert.InRange(int.Parse(memoryMax.Groups[1].Value) * 1024, 2 * 768, 8 * 1024);
        Assert.Contains("\nSystemCallFilter=@system-service\n", text);
        // A call outside the set fails (EPERM) rather than killing the agent.
        Assert.Contains("\nSystemCallErrorNumber=EPERM\n", text);
    }

    [Fact]
    public void The_installed_command_checks_the_installed_configuration()
    {
        // Through /usr/local/bin/linewatch -> current -> the release's launcher, with the installed configuration by default.
        var (exitCode, output) = ShellCommand.Run(tree["usr/local/bin/linewatch"], "check");
        Assert.True(exitCode == 0, output);
        Assert.Contains(tree["etc/linewatch/linewatch.json"], output);
        Assert.Contains("[ok] model", output);
        Assert.Contains("[ok] camera demo-line", output);
    }
}

/// <summary>Upgrades, rollback and uninstall change the tree, so each gets a prefix of its own.</summary>
public sealed class InstallServiceLifecycleTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private string At(string relative) => Path.Combine(_dir.Path, relative);

    [Fact]
    public void An_upgrade_switches_current_and_keeps_the_operators_configuration_and_data()
    {
        InstallScript.Install(_dir.Path, "r1");
        var config = At("etc/linewatch/linewatch.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"demo-line\"", "\"press-3\""));
        var edited = File.ReadAllText(config);
        File.WriteAllText(At("var/lib/linewatch/profiles/demo-line.profile"), "learned on site");

        InstallScript.Install(_dir.Path, "r2");

        Assert.Equal(edited, File.ReadAllText(config));
        Assert.Equal("learned on site", File.ReadAllText(At("var/lib/linewatch/profiles/demo-line.profile")));
        Assert.Equal("releases/r2", new FileInfo(At("opt/linewatch/current")).LinkTarget);
        Assert.True(Directory.Exists(At("opt/linewatch/releases/r1")), "the previous release stays for a rollback");

        // Installing the same release again is a no-op for the operator's files, and --keep 1 prunes the rest.
        InstallScript.Install(_dir.Path, "r2", "--keep", "1");
        Assert.Equal(edited, File.ReadAllText(config));
        Assert.False(Directory.Exists(At("opt/linewatch/releases/r1")));
        Assert.Equal(new[] { "r2" }, Directory.GetDirectories(At("opt/linewatch/releases")).Select(Path.GetFileName));
    }

    [Fact]
    public void Uninstall_removes_the_service_and_keeps_config_and_data_unless_purged()
    {
        InstallScript.Install(_dir.Path, "r1");

        var (exitCode, output) = InstallScript.Run(_dir.Path, "--uninstall");
        Assert.True(exitCode == 0, output);
        Assert.False(File.Exists(At("etc/systemd/system/linewatch.service")));
        Assert.False(Directory.Exists(At("opt/linewatch")));
        Assert.Null(new FileInfo(At("usr/local/bin/linewatch")).LinkTarget);
        Assert.True(File.Exists(At("etc/linewatch/linewatch.json")));
        Assert.True(File.Exists(At("var/lib/linewatch/profiles/demo-line.profile")));

        (exitCode, output) = InstallScript.Run(_dir.Path, "--uninstall"); // again: nothing left to do, still fine
        Assert.True(exitCode == 0, output);

        (exitCode, output) = InstallScript.Run(_dir.Path, "--uninstall", "--purge");
        Assert.True(exitCode == 0, output);
        Assert.False(Directory.Exists(At("etc/linewatch")));
        Assert.False(Directory.Exists(At("var/lib/linewatch")));
    }

    public void Dispose() => _dir.Dispose();
}
