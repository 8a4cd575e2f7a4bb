using System.CommandLine;
using System.Diagnostics;
using LineWatch.Configuration;
using LineWatch.Inference;
using LineWatch.Processing;
using LineWatch.Scoring;
using Microsoft.Extensions.Logging.Abstractions;

namespace LineWatch.Agent.Cli;

/// <summary>`linewatch learn`: learn a camera's normal operation from footage (or its live source) and save its profile.</summary>
internal static class LearnCommand
{
    public static Command Create(Option<string?> config)
    {
        var camera = new Option<string>("--camera") { Description = "The configured camera the profile is for", Required = true };
        var from = new Option<string[]>("--from") { Description = "Video files of normal operation (default: the camera's own source)", AllowMultipleArgumentsPerToken = true };
        var minutes = new Option<double?>("--minutes") { Description = "Use at most this many minutes of each video (required for a live source)" };
        var output = new Option<string?>("--out") { Description = "Write the profile to this file only (default: a new version of the camera's profile, DataDir/profiles/<camera>.profile, which the running agent picks up)" };
        var cache = new Option<string?>("--cache") { Description = "Folder for the backbone's windows of each video, reused when learning or evaluating the same video again" };
        var command = new Command("learn", "Learn normal operation for a camera and calibrate its alert threshold") { camera, from, minutes, output, cache };
        command.SetAction(parse =>
        {
            var configuration = ConfigLoading.TryLoad(parse.GetValue(config), Console.Error);
            if (configuration is null) return ExitCodes.InvalidConfiguration;
            var options = configuration.Options;
            var name = parse.GetValue(camera)!;
            var index = options.Cameras.FindIndex(c => c.Name == name);
            if (index < 0) return Fail($"no camera named '{name}' in {configuration.FilePath} (cameras: {string.Join(", ", options.Cameras.Select(c => c.Name))})", ExitCodes.InvalidConfiguration);
            var cameraOptions = options.Cameras[index];
            var videos = parse.GetValue(from) is { Length: > 0 } files ? files.Select(Path.GetFullPath).ToArray() : [configuration.CameraSources[index].Location];
            var limit = parse.GetValue(minutes) is { } m ? m * 60 : double.PositiveInfinity;
            var path = parse.GetValue(output);
            try
            {
                var stopwatch = Stopwatch.StartNew();
                using var model = OrtSessionFactory.Create(options.Model.Path, options.Model, NullLogger.Instance);
                using var runner = new BackboneRunner(model, options.Model.MaxBatch);
                var identity = ModelIdentity.Of(options.Model.Path);
                var result = ProfileLearner.Learn(runner, identity, name, videos, cameraOptions, options.Learning,
                    Console.Error.WriteLine, limit, parse.GetValue(cache));
                Console.WriteLine($"profile for {name}: {result.FittedWindows} windows fitted, {result.HeldOutWindows} held out; " +
                    $"thresholds local {result.Profile.LocalThreshold:0.###}, motion {result.Profile.MotionThreshold:0.###}, line speed {result.Profile.SpeedThreshold:0.###}, " +
                    $"lighting {result.Profile.LightingThreshold:0.###}, belt shift {result.Profile.ShiftThreshold:0.###}, " +
                    $"belt pattern {result.Profile.PatternThreshold:0.###} (period {result.Profile.Pattern.Period} px) (margin {options.Learning.Margin:0.##}); " +
                    $"{stopwatch.Elapsed.TotalSeconds:0} s");
                if (path is not null)
                {
                    result.Profile.Save(path);
                    Console.WriteLine($"saved {path}");
                    return ExitCodes.Ok;
                }
                // File names only: a camera's own source is a URL that may hold a password.
                var footage = parse.GetValue(from) is { Length: > 0 } given ? given.Select(Path.GetFileName).OfType<string>().ToArray() : ["the camera's live source"];
                var store = new ProfileVersionStore(options.DataDir, options.Learning.KeepVersions);
                var version = store.Commit(result.Profile, new ProfileChange(ProfileSource.CliLearn, $"cli ({Environment.UserName})",
                    $"linewatch learn from {string.Join(", ", footage)}", Footage: footage, Learned: result, Margin: options.Learning.Margin));
                Console.WriteLine($"saved {ProfileStore.PathFor(options.DataDir, name)} as profile version {version.Id}");
                return ExitCodes.Ok;
            }
            catch (Exception e) when (e is ModelLoadException or Capture.VideoSourceException or InvalidOperationException or InvalidDataException or IOException)
            {
                return Fail(e.Message, ExitCodes.Failure);
            }
        });
        return command;
    }

    private static int Fail(string message, int code)
    {
        Console.Error.WriteLine($"linewatch: {message}");
        return code;
    }
}
