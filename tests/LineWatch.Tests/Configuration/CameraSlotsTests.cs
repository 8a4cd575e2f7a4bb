using LineWatch.Configuration;

namespace LineWatch.Tests.Configuration;

public class CameraSlotsTests
{
    private static AgentOptions Options(int maxCameras, params string[] cameras) =>
        new() { MaxCameras = maxCameras, Cameras = cameras.Select(c => new CameraOptions { Name = c, Source = "demo:" }).ToList() };

    private static CameraOptions Camera(string name) => new() { Name = name, Source = "demo:" };

    [Fact]
    public void The_configured_cameras_hold_the_first_slots_in_file_order_and_the_rest_are_free()
    {
        var slots = new CameraSlots(Options(4, "press", "line"));

        Assert.Equal(4, slots.Capacity);
        Assert.Equal([0, 1], slots.Configured());
        Assert.Equal(("press", "line"), (slots.Name(0), slots.Name(1)));
        Assert.Equal(1, slots.IndexOf("line"));
        Assert.Null(slots.Name(2));
        Assert.False(slots.IsConfigured(2));
        Assert.Equal(-1, slots.IndexOf("paint"));
        Assert.Null(slots.Name(-1));
        Assert.Null(slots.Name(4));
    }

    [Fact]
    public void Options_built_in_code_with_more_cameras_than_MaxCameras_get_a_slot_for_each()
    {
        var slots = new CameraSlots(Options(1, "a", "b", "c"));

        Assert.Equal(3, slots.Capacity);
        Assert.Equal([0, 1, 2], slots.Configured());
    }

    [Fact]
    public void An_added_camera_takes_the_next_free_slot_and_is_announced()
    {
        var slots = new CameraSlots(Options(4, "press"));
        var joined = new List<int>();
        slots.Joined += joined.Add;

        Assert.Equal(1, slots.Take(Camera("paint")));

        Assert.Equal([1], joined);
        Assert.Equal([0, 1], slots.Configured());
        Assert.Equal(1, slots.IndexOf("paint"));
        Assert.Equal("paint", slots.Camera(1)!.Name);
    }

    [Fact]
    public void A_removed_camera_leaves_the_listings_but_keeps_its_slot_for_when_it_is_put_back()
    {
        var slots = new CameraSlots(Options(4, "press", "belt", "line"));
        var left = new List<int>();
        slots.Left += left.Add;

        slots.Release(1);
        slots.Release(1); // a second removal is no news

        Assert.Equal([1], left);
        Assert.Equal([0, 2], slots.Configured());
        Assert.Equal(-1, slots.IndexOf("belt"));
        Assert.Equal("belt", slots.Name(1));
        Assert.Equal(1, slots.SlotOf("belt"));

        // Put back (the configuration's names ignore case) with new settings: the same slot, not a free one.
        var back = new CameraOptions { Name = "BELT", Source = "demo:", Loop = true };
        Assert.Equal(1, slots.Take(back));
        Assert.Equal([0, 1, 2], slots.Configured());
        Assert.Same(back, slots.Camera(1));
        Assert.Equal(3, slots.Take(Camera("paint")));
    }

    [Fact]
    public void With_every_slot_held_by_a_configured_camera_a_new_camera_gets_none_and_nothing_changes()
    {
        var slots = new CameraSlots(Options(2, "press", "belt"));
        var (joined, reused) = (new List<int>(), new List<(int, string)>());
        slots.Joined += joined.Add;
        slots.Reused += (slot, previous) => reused.Add((slot, previous));

        Assert.Null(slots.Take(Camera("paint")));

        Assert.Empty(joined);
        Assert.Empty(reused);
        Assert.Equal([0, 1], slots.Configured());
        Assert.Null(slots.SlotOf("paint"));
        Assert.False(slots.HasRun("paint"));
    }

    [Fact]
    public void With_no_slot_left_unused_a_new_camera_takes_the_slot_of_the_camera_removed_longest_ago_and_its_consumers_are_told_first()
    {
        var slots = new CameraSlots(Options(3, "press", "belt", "line"));
        slots.Release(2);
        slots.Release(0);
        var heard = new List<string>();
        slots.Reused += (slot, previous) => heard.Add($"reused {slot} from {previous} (now {slots.Name(slot)}, configured {slots.IsConfigured(slot)})");
        slots.Joined += slot => heard.Add($"joined {slot}");

        // line left first, so its slot goes first; press keeps its own for now.
        var paint = Camera("paint");
        Assert.Equal(2, slots.Take(paint));

        Assert.Equal(["reused 2 from line (now paint, configured True)", "joined 2"], heard);
        Assert.Equal("paint", slots.Name(2));
        Assert.Same(paint, slots.Camera(2));
        Assert.Equal([1, 2], slots.Configured());
        Assert.Equal(2, slots.IndexOf("paint"));
        // line no longer holds a slot: put back now, it is a new camera and takes the next one removed (press's).
        Assert.Null(slots.SlotOf("line"));
        Assert.Equal(0, slots.SlotOf("press"));
        heard.Clear();
        Assert.Equal(0, slots.Take(Camera("line")));
        Assert.Equal(["reused 0 from press (now line, configured True)", "joined 0"], heard);
        Assert.Null(slots.SlotOf("press"));
        Assert.Null(slots.Take(Camera("press")));
    }

    [Fact]
    public void A_removed_camera_put_back_while_its_slot_is_unreused_resumes_in_it_without_a_reset()
    {
        var slots = new CameraSlots(Options(2, "press", "belt"));
        slots.Release(0);
        slots.Release(1);
        var reused = new List<(int, string)>();
        slots.Reused += (slot, previous) => reused.Add((slot, previous));

        Assert.Equal(1, slots.Take(Camera("belt")));
        // press's slot is the one left for a new name.
        Assert.Equal(0, slots.Take(Camera("paint")));

        Assert.Equal([(0, "press")], reused);
        Assert.Equal("belt", slots.Name(1));
    }

    [Fact]
    public void A_slot_reused_more_than_once_goes_by_when_it_was_last_left()
    {
        var slots = new CameraSlots(Options(2, "press", "belt"));
        slots.Release(0);
        Assert.Equal(0, slots.Take(Camera("paint")));
        slots.Release(1);
        slots.Release(0); // paint leaves after belt

        Assert.Equal(1, slots.Take(Camera("line")));
        Assert.Equal(0, slots.Take(Camera("oven")));
    }

    [Fact]
    public void Every_name_that_held_a_slot_since_start_up_is_remembered_for_the_history_by_its_exact_spelling()
    {
        var slots = new CameraSlots(Options(1, "press"));
        slots.Release(0);
        Assert.Equal(0, slots.Take(Camera("paint")));

        Assert.True(slots.HasRun("press"));
        Assert.True(slots.HasRun("paint"));
        Assert.False(slots.HasRun("PRESS"));
        Assert.False(slots.HasRun("belt"));
    }

    [Fact]
    public void The_cameras_removed_since_start_up_are_listed_by_name_also_once_their_slot_went_to_another()
    {
        var slots = new CameraSlots(Options(2, "press", "belt"));
        slots.Release(0);
        slots.Release(1);
        Assert.Equal(0, slots.Take(Camera("paint")));
        Assert.Equal(1, slots.Take(Camera("belt")));

        // press's retained MQTT topics are still to be cleared on the next connect, though paint holds its slot now.
        Assert.Equal(["press"], slots.Removed());
    }

    [Fact]
    public void Exact_names_find_configured_cameras_and_any_case_finds_the_slot()
    {
        var slots = new CameraSlots(Options(2, "Press"));

        Assert.Equal(-1, slots.IndexOf("press"));
        Assert.Equal(0, slots.IndexOf("Press"));
        Assert.Equal(0, slots.SlotOf("PRESS"));
    }

    [Fact]
    public void New_settings_of_a_camera_are_what_its_slot_gives_from_then_on()
    {
        var slots = new CameraSlots(Options(2, "press"));
        var changed = new CameraOptions { Name = "press", Source = "demo:", Regions = [new RegionOptions { Name = "arm", Points = [[0, 0], [1, 0], [1, 1]] }] };

        slots.Update(0, changed);

        Assert.Same(changed, slots.Camera(0));
    }

    [Fact]
    public async Task Cameras_added_from_many_threads_each_get_their_own_slot()
    {
        var slots = new CameraSlots(Options(64));
        var taken = await Task.WhenAll(Enumerable.Range(0, 80).Select(i => Task.Run(() => slots.Take(Camera($"cam-{i}")))));

        var granted = taken.OfType<int>().ToArray();
        Assert.Equal(64, granted.Length);
        Assert.Equal(Enumerable.Range(0, 64), granted.Order());
        Assert.Equal(64, granted.Select(slots.Name).Distinct().Count());
    }

    [Theory]
    [InlineData(0, "0 must be 1-256")]
    [InlineData(257, "257 must be 1-256")]
    [InlineData(1, "1 is fewer than the 2 cameras configured")]
    public void MaxCameras_out_of_range_or_below_the_cameras_configured_is_named(int maxCameras, string reason)
    {
        var options = Options(maxCameras, "press", "line");
        options.Model.Path = "m.onnx";
        var errors = new List<ConfigError>();

        OptionsValidator.Validate(options, Path.GetTempPath(), errors);

        Assert.Contains(errors, e => e.Key == "MaxCameras" && e.Reason == reason);
    }
}
