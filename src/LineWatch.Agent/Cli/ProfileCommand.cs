using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LineWatch.Configuration;
using LineWatch.Scoring;

namespace LineWatch.Agent.Cli;

/// <summary>
/// `linewatch profile list|show|compare|rollback`: a camera's profile versions (<see cref="ProfileVersionStore"/>).
/// A rollback writes the files a running agent watches, so it switches within a few seconds, without a restart.
/// Exit codes: 0 done, 2 a bad configuration, camera or version (named in the message), 1 the files could not be read or written.
/// </summary>
internal static class ProfileCommand
{
    public static Command Create(Option<string?> config)
    {
        var command = new Command("profile", "List, show, compare and roll back a camera's profile versions");
        command.Subcommands.Add(List(config));
        command.Subcommands.Add(Show(config));
        command.Subcommands.Add(Compare(config));
        command.Subcommands.Add(Rollback(config));
        return command;
    }

    private static Option<string> CameraOption() => new("--camera") { Description = "The configured camera", Required = true };
    private static Option<bool> JsonOption() => new("--json") { Description = "Print JSON (the versions' metadata as stored)" };

    private static Command List(Option<string?> config)
    {
        var camera = CameraOption();
        var json = JsonOption();
        var command = new Command("list", "The camera's profile versions, oldest first; * marks the current one") { camera, json };
        command.SetAction(parse => Run(parse.GetValue(config), parse.GetValue(camera)!, (store, name) =>
        {
            var current = store.Reconcile(name);
            var versions = store.List(name);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { camera = name, current = current?.Id, versions }, ProfileVersionStore.MetadataJson));
                return ExitCodes.Ok;
            }
            if (versions.Count == 0)
            {
                Console.WriteLine($"camera {name} has no profile yet: `linewatch learn --camera {name}` makes version 1");
                return ExitCodes.Ok;
            }
            Console.WriteLine($"{"",1}{"version",7}  {"created (UTC)",-20} {"source",-10} {"by",-16} {"windows",8} {"local",8} {"motion",8} {"speed",8} {"lighting",8} {"shift",8} {"pattern",8}  detail");
            foreach (var v in versions)
            {
                Console.WriteLine($"{(v.Id == current?.Id ? "*" : " "),1}{v.Id,7}  {v.Created.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),-20} " +
                    $"{v.Source,-10} {Clip(v.By, 16),-16} {v.Windows,8} {Number(v.Calibration.LocalThreshold),8} {Number(v.Calibration.MotionThreshold),8} " +
                    $"{(v.Calibration.SpeedThreshold is { } speed ? Number(speed) : "-"),8} {Number(v.Calibration.LightingThreshold),8} {(v.Calibration.ShiftThreshold is { } shift ? Number(shift) : "-"),8} {(v.Calibration.PatternThreshold is { } pattern ? Number(pattern) : "-"),8}  {v.Detail}");
            }
            Console.WriteLine($"{versions.Count} version(s) kept (at most {store.Keep}: Learning:KeepVersions)");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Show(Option<string?> config)
    {
        var camera = CameraOption();
        var version = new Option<int?>("--version") { Description = "The version (default: the current one)" };
        var command = new Command("show", "One profile version's metadata: who made it and how, the windows used, its calibration") { camera, version };
        command.SetAction(parse => Run(parse.GetValue(config), parse.GetValue(camera)!, (store, name) =>
        {
            var current = store.Reconcile(name);
            var shown = parse.GetValue(version) is { } id ? store.Find(name, id)
                : current ?? throw new ProfileVersionException($"camera {name} has no profile yet");
            Console.WriteLine(JsonSerializer.Serialize(shown, ProfileVersionStore.MetadataJson));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Compare(Option<string?> config)
    {
        var camera = CameraOption();
        var json = JsonOption();
        var a = new Argument<int>("a") { Description = "The first version" };
        var b = new Argument<int>("b") { Description = "The second version" };
        var command = new Command("compare", "Two versions side by side: metadata and how the thresholds changed") { camera, json, a, b };
        command.SetAction(parse => Run(parse.GetValue(config), parse.GetValue(camera)!, (store, name) =>
        {
            store.Reconcile(name);
            var first = store.Find(name, parse.GetValue(a));
            var second = store.Find(name, parse.GetValue(b));
            var rows = ProfileComparison.Compare(first, second);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { camera = name, a = first.Id, b = second.Id, fields = rows }, ProfileVersionStore.MetadataJson));
                return ExitCodes.Ok;
            }
            Console.WriteLine($"  {"camera " + name,-24} {"version " + first.Id,-24} {"version " + second.Id,-24} change");
            foreach (var row in rows)
            {
                var change = row.RelativeChange is { } c ? c.ToString("+0.0%;-0.0%;0%", CultureInfo.InvariantCulture) : "";
                Console.WriteLine($"{(row.Differs ? "~" : " ")} {row.Field,-24} {Clip(row.A, 24),-24} {Clip(row.B, 24),-24} {change}");
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Rollback(Option<string?> config)
    {
        var camera = CameraOption();
        var to = new Option<int>("--to") { Description = "The version to make current again", Required = true };
        var command = new Command("rollback", "Make an earlier version current again (recorded as a new version); a running agent switches within seconds") { camera, to };
        command.SetAction(parse => Run(parse.GetValue(config), parse.GetValue(camera)!, (store, name) =>
        {
            var version = store.Rollback(name, parse.GetValue(to), $"cli ({Environment.UserName})");
            Console.WriteLine($"camera {name}: version {version.Id} is current ({version.Detail}); a running agent switches to it within a few seconds");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static int Run(string? configPath, string camera, Func<ProfileVersionStore, string, int> action)
    {
        var configuration = ConfigLoading.TryLoad(configPath, Console.Error);
        if (configuration is null) return ExitCodes.InvalidConfiguration;
        var options = configuration.Options;
        if (options.Cameras.All(c => c.Name != camera))
        {
            return Fail($"no camera named '{camera}' in {configuration.FilePath} (cameras: {string.Join(", ", options.Cameras.Select(c => c.Name))})", ExitCodes.InvalidConfiguration);
        }
        try
        {
            return action(new ProfileVersionStore(options.DataDir, options.Learning.KeepVersions), camera);
        }
        catch (ProfileVersionException e)
        {
            return Fail(e.Message, ExitCodes.InvalidConfiguration);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or JsonException)
        {
            return Fail(e.Message, ExitCodes.Failure);
        }
    }

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Clip(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";

    private static int Fail(string message, int code)
    {
        Console.Error.WriteLine($"linewatch: {message}");
        return code;
    }
}
