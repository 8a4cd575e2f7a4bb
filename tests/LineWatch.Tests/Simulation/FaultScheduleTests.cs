using LineWatch.Simulation;

namespace LineWatch.Tests.Simulation;

public sealed class FaultScheduleTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(13)]
    public void Ten_minutes_with_every_type_hold_each_once_with_normal_gaps_between(int scene)
    {
        var look = LineLook.ForScene(scene);
        var schedule = FaultSchedule.Plan(600, seed: 1, FaultTypes.All, look);

        Assert.Equal(FaultTypes.All.Order(), schedule.Select(f => f.Type).Order());
        // Each fault's room (checked against the rendered labels in ProductionLineSceneTests).
        var rooms = schedule.Select(f => (Start: f.StartSeconds - FaultSchedule.Room(f.Type, look).Before, End: f.StartSeconds + FaultSchedule.Room(f.Type, look).After)).ToList();
        Assert.True(rooms[0].Start >= 20);
        Assert.True(rooms[^1].End <= 600);
        for (var i = 1; i < rooms.Count; i++) Assert.True(rooms[i].Start - rooms[i - 1].End >= 20, $"{schedule[i - 1]} and {schedule[i]} are too close");
    }

    [Fact]
    public void A_short_video_keeps_the_faults_that_fit_apart()
    {
        // Each needs its few seconds and 20 s of normal before it: two of the three fit in a minute.
        var look = LineLook.Classic;
        var schedule = FaultSchedule.Plan(60, seed: 2, [FaultTypes.Jam, FaultTypes.Hand, FaultTypes.Lights], look);

        Assert.Equal(2, schedule.Count);
        Assert.True(schedule[0].StartSeconds >= 20);
        double End(ScheduledFault f) => f.StartSeconds + FaultSchedule.Room(f.Type, look).After;
        Assert.True(schedule[1].StartSeconds - End(schedule[0]) >= 20);
        Assert.True(End(schedule[1]) <= 60);
    }

    [Fact]
    public void An_unknown_type_is_named()
    {
        var error = Assert.Throws<ArgumentException>(() => FaultSchedule.Plan(600, seed: 1, ["jam", "sparks"], LineLook.Classic));
        Assert.Contains("'sparks'", error.Message);
    }
}
