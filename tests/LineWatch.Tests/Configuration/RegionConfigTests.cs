using LineWatch.Configuration;
using LineWatch.Scoring;

namespace LineWatch.Tests.Configuration;

/// <summary>Regions in the configuration file: how they are written, and the errors that name what is wrong.</summary>
public class RegionConfigTests
{
    private static string Config(string regions) => $$"""
        {
          "Cameras": [ { "Name": "press", "Source": "demo:", "Regions": {{regions}} } ],
          "Model": { "Path": "m.onnx" }
        }
        """;

    private static readonly KeyValuePair<string, string?>[] NoEnvironment = [];

    private static IReadOnlyList<ConfigError> Errors(string regions)
    {
        using var file = new TempConfig(Config(regions));
        return Assert.Throws<ConfigurationException>(() => AgentConfiguration.Load(file.Path, NoEnvironment)).Errors;
    }

    [Fact]
    public void Regions_load_with_their_points_in_normalised_coordinates()
    {
        using var file = new TempConfig(Config("""[ { "Name": "robot arm", "Mode": "exclude", "Points": [[0.1, 0.2], [0.5, 0.2], [0.5, 0.9]] }, { "Name": "belt", "Mode": "Watch", "Points": [[0, 0], [1, 0], [1, 1]] } ]"""));
        var camera = AgentConfiguration.Load(file.Path, NoEnvironment).Options.Cameras[0];

        Assert.Equal(2, camera.Regions.Count);
        Assert.Equal("robot arm", camera.Regions[0].Name);
        Assert.Equal(RegionMode.Exclude, camera.Regions[0].Mode);
        Assert.Equal([0.5, 0.9], camera.Regions[0].Points[2]);
        Assert.Equal(RegionMode.Watch, camera.Regions[1].Mode);
    }

    [Fact]
    public void A_polygon_of_two_points_is_named()
    {
        var error = Assert.Single(Errors("""[ { "Name": "clock", "Points": [[0.1, 0.1], [0.2, 0.2]] } ]"""));
        Assert.Equal("Cameras:0:Regions:0:Points", error.Key);
        Assert.Contains("'clock'", error.Reason);
        Assert.Contains("2 points", error.Reason);
    }

    [Fact]
    public void A_point_outside_the_picture_is_named_by_its_index()
    {
        var errors = Errors("""[ { "Name": "clock", "Points": [[0.1, 0.1], [1.5, 0.1], [0.2, -0.1]] } ]""");
        Assert.Contains(errors, e => e.Key == "Cameras:0:Regions:0:Points:1" && e.Reason.Contains("[1.5, 0.1]") && e.Reason.Contains("0..1"));
        Assert.Contains(errors, e => e.Key == "Cameras:0:Regions:0:Points:2");
    }

    [Fact]
    public void Too_many_points_an_unknown_mode_a_flat_polygon_and_a_repeated_name_are_each_named()
    {
        var many = "[" + string.Join(",", Enumerable.Range(0, 65).Select(i => $"[{i / 100.0}, {(i % 2) / 2.0}]")) + "]";
        Assert.Contains(Errors($$"""[ { "Name": "a", "Points": {{many}} } ]"""), e => e.Key == "Cameras:0:Regions:0:Points" && e.Reason.Contains("65 points"));

        var mode = Assert.Single(Errors("""[ { "Name": "a", "Mode": "ignore", "Points": [[0, 0], [1, 0], [1, 1]] } ]"""));
        Assert.Equal("Cameras:0:Regions:0:Mode", mode.Key);
        Assert.Contains("exclude|watch", mode.Reason);

        Assert.Contains(Errors("""[ { "Name": "a", "Points": [[0, 0], [0.5, 0.5], [1, 1]] } ]"""), e => e.Key == "Cameras:0:Regions:0:Points" && e.Reason.Contains("no area"));

        Assert.Contains(Errors("""[ { "Name": "a", "Points": [[0, 0], [1, 0], [1, 1]] }, { "Name": "A", "Points": [[0, 0], [1, 0], [1, 1]] } ]"""),
            e => e.Key == "Cameras:0:Regions:1:Name");
        Assert.Contains(Errors("""[ { "Name": "a", "Points": [[0, 0, 0], [1, 0], [1, 1]] } ]"""), e => e.Key == "Cameras:0:Regions:0:Points:0");
        Assert.Contains(Errors("""[ { "Name": "a", "Shape": "square", "Points": [[0, 0], [1, 0], [1, 1]] } ]"""), e => e.Key == "Cameras:0:Regions:0:Shape");
        // Values the binder cannot convert would drop the region silently: they are named instead.
        Assert.Contains(Errors("""[ { "Name": "a", "Points": [["left", 0], [1, 0], [1, 1]] } ]"""),
            e => e.Key == "Cameras:0:Regions:0:Points:0:0" && e.Reason.Contains("'left' is not a valid number"));
    }

    [Fact]
    public void Regions_that_leave_no_patch_of_the_grid_are_refused_naming_the_camera_regions()
    {
        var all = new RegionOptions { Name = "all", Mode = RegionMode.Exclude, Points = [[0, 0], [1, 0], [1, 1], [0, 1]] };
        var errors = new List<ConfigError>();
        RegionRules.CheckCoverage([all], "Cameras:2:Regions", 7, errors);
        var error = Assert.Single(errors);
        Assert.Equal("Cameras:2:Regions", error.Key);
        Assert.Contains("7 x 7", error.Reason);

        // A watch region smaller than half a patch leaves nothing either.
        var speck = new RegionOptions { Name = "speck", Mode = RegionMode.Watch, Points = [[0.01, 0.01], [0.05, 0.01], [0.05, 0.05]] };
        errors.Clear();
        RegionRules.CheckCoverage([speck], "Cameras:0:Regions", 7, errors);
        Assert.Single(errors);
        Assert.Equal(0, RegionMask.Build([speck], 7).ScoredCount);
    }

    [Fact]
    public void The_file_edit_replaces_only_that_camera_regions_and_never_writes_environment_values()
    {
        var text = """
            {
              // the operator's file
              "Cameras": [
                { "Name": "press", "Source": "rtsp://cam-1/stream", "regions": [ { "Name": "old", "Points": [[0, 0], [1, 0], [1, 1]] } ] },
                { "Name": "belt", "Source": "demo:" }
              ],
              "Mqtt": { "Mode": "external", "Host": "broker", "Username": "agent", "Password": "in-the-file" },
              "Model": { "Path": "m.onnx" }
            }
            """;
        var arm = new RegionOptions { Name = "arm", Mode = RegionMode.Watch, Points = [[0.1, 0.1], [0.9, 0.1], [0.5, 0.8]] };
        using var file = new TempConfig(ConfigFileEdit.SetRegions(text, "PRESS", [arm], out var index));

        Assert.Equal(0, index);
        // An override from the environment (a camera password) applies to the loaded options but is not in the text.
        var loaded = AgentConfiguration.Load(file.Path, [new("LINEWATCH__Cameras__0__Source", "rtsp://user:secret@cam-1/stream")]);
        var written = File.ReadAllText(file.Path);
        Assert.DoesNotContain("secret", written);
        Assert.Contains("rtsp://cam-1/stream", written);
        Assert.Contains("in-the-file", written); // what was in the file stays there
        Assert.DoesNotContain("\"old\"", written);
        var press = loaded.Options.Cameras[0];
        Assert.Equal("arm", Assert.Single(press.Regions).Name);
        Assert.Equal(RegionMode.Watch, press.Regions[0].Mode);
        Assert.Empty(loaded.Options.Cameras[1].Regions);

        Assert.Throws<InvalidDataException>(() => ConfigFileEdit.SetRegions(text, "paint", [arm], out _));
    }

    [Fact]
    public void A_change_is_sorted_into_what_applies_live_and_the_keys_that_need_a_restart()
    {
        AgentOptions Options() => new()
        {
            Cameras = [new() { Name = "press", Source = "demo:" }, new() { Name = "belt", Source = "demo:" }],
            Mqtt = new() { Password = "one" },
        };
        var running = Options();
        var next = Options();
        next.Alerts.OnScore = 1.4;
        next.Cameras[1].Regions.Add(new RegionOptions { Name = "arm", Points = [[0, 0], [1, 0], [1, 1]] });
        next.Mqtt.Password = "two";
        next.Cameras[0].AnalysisFps = 4;
        next.Cameras[0].Source = "rtsp://cam-7/stream";
        next.Cameras.Add(new CameraOptions { Name = "paint", Source = "demo:" });

        var change = ConfigChange.Between(running, next);

        Assert.True(change.Alerts);
        Assert.Equal("belt", Assert.Single(change.Regions).Camera);
        Assert.Equal(["Mqtt", "Cameras:0:AnalysisFps"], change.NeedRestart);
        Assert.Equal([(2, "paint")], change.Added);
        var recaptured = Assert.Single(change.Recaptured);
        Assert.Equal((0, "press"), (recaptured.Index, recaptured.Camera));
        Assert.Equal(["Cameras:0:Source"], recaptured.Keys);
        Assert.Empty(change.Removed);
        next.Cameras.RemoveAt(1);
        Assert.Equal(["belt"], ConfigChange.Between(running, next).Removed);
        Assert.DoesNotContain(change.NeedRestart, k => k.Contains("two"));
        Assert.True(ConfigChange.Between(running, Options()).IsEmpty);
    }
}
