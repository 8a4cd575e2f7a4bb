using System.CommandLine;
using LineWatch.Simulation;

namespace LineWatch.Agent.Cli;

/// <summary>`linewatch demo-video`: the synthetic production line (the demo camera, and footage for learn / eval).</summary>
internal static class DemoVideoCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Folder to write <name>.mp4 and <name>.labels.json into", Required = true };
        var name = new Option<string>("--name") { Description = "File name without extension", DefaultValueFactory = _ => "demo-line" };
        var seconds = new Option<double>("--seconds") { Description = "Length of the video", DefaultValueFactory = _ => 600 };
        var seed = new Option<int>("--seed") { Description = "The fault schedule, camera drift and noise: same seed, same video", DefaultValueFactory = _ => 1 };
        var faults = new Option<string>("--faults")
        {
            Description = "Comma-separated fault types, 'all' or 'none':" +
                string.Concat(FaultTypes.All.Select(type => $"\n  {type,-8} {FaultTypes.Describe(type)}")),
            DefaultValueFactory = _ => "all",
        };
        var scene = new Option<int>("--scene") { Description = "The line's look (parts, rhythm, belt, floor, station, camera pose): 0 the classic line, any other number another line", DefaultValueFactory = _ => 0 };
        var nuisance = new Option<int>("--nuisance") { Description = "Camera nuisances: 0 none, 1 the default (drift, noise, a little shake), 2-3 stronger, with flicker and harder compression", DefaultValueFactory = _ => 1 };
        var command = new Command("demo-video", "Generate a synthetic production-line video with injected faults and its labels file") { output, name, seconds, seed, faults, scene, nuisance };
        command.SetAction(parse =>
        {
            var list = parse.GetValue(faults)!.Trim().ToLowerInvariant() switch
            {
                "all" => FaultTypes.All,
                "none" or "" => [],
                var text => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            };
            try
            {
                var result = DemoVideoWriter.Write(parse.GetValue(output)!, parse.GetValue(name)!, parse.GetValue(seconds), parse.GetValue(seed), list,
                    parse.GetValue(scene), parse.GetValue(nuisance), Console.Error.WriteLine);
                Console.WriteLine($"{result.VideoPath}: {result.Labels.Frames} frames at {result.Labels.Fps} fps, {result.Labels.Anomalies.Count} labelled anomalies");
                foreach (var group in result.Labels.Anomalies.GroupBy(a => a.Type)) Console.WriteLine($"  {group.Key}: {group.Count()}");
                Console.WriteLine($"labels: {result.LabelsPath}");
                return ExitCodes.Ok;
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"linewatch: {e.Message}");
                return ExitCodes.InvalidConfiguration;
            }
        });
        return command;
    }
}
