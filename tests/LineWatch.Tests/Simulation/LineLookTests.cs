using LineWatch.Simulation;

namespace LineWatch.Tests.Simulation;

public sealed class LineLookTests
{
    [Fact]
    public void Drawn_scenes_stay_readable_and_fit_every_fault_type_into_ten_minutes()
    {
        for (var scene = 1; scene <= 1000; scene++)
        {
            var look = LineLook.ForScene(scene);
            Assert.True(look.StationBottom - look.StationTop - 30 >= 60, $"scene {scene}: the station has no body");
            Assert.True(look.PartDepth + 20 <= look.BeltBottom - look.BeltTop, $"scene {scene}: parts wider than the belt");
            Assert.True(look.BeltBottom + 6 < ProductionLineScene.Height, $"scene {scene}: the belt leaves the view");
            Assert.True(look.GroupPitch % look.SlatSpacing == 0, $"scene {scene}: the belt's picture does not repeat with its parts");
            Assert.True(look.GroupPitch - (look.GroupSize == 2 ? look.PairGap : 0) >= look.PartLength + 20, $"scene {scene}: parts touch");
            Assert.True(look.PartColour.DistanceTo(look.BeltColour) > 40, $"scene {scene}: parts the colour of the belt");
            Assert.True(look.WrongColour.DistanceTo(look.PartColour) > 80, $"scene {scene}: the wrong colour is too close");
            Assert.All(look.Fixtures, f => Assert.True(f.Y + f.Height < look.BeltTop - 6 || f.Y > look.BeltBottom + 6, $"scene {scene}: {f} on the belt"));
            Assert.Equal(FaultTypes.All.Count, FaultSchedule.Plan(600, seed: 1, FaultTypes.All, look).Count);
        }
    }
}
