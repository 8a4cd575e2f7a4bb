using LineWatch.Configuration;
using LineWatch.Control;
using LineWatch.IntegrationTests.Support;
using LineWatch.Scoring;
using Microsoft.Extensions.Logging.Abstractions;

namespace LineWatch.IntegrationTests.Storage;

/// <summary>
/// The state files an operator's work lives in (camera switches, learned profiles) survive a power cut: written to a
/// temporary file that is flushed to disk before it is renamed over the old one, and the rename itself flushed by
/// syncing the folder. Seen from the system calls the writers make; what the disk does on power loss no test here shows.
/// </summary>
public sealed class DurableWriteTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public static TheoryData<string> Writers => ["switches", "profile"];

    [StraceTheory]
    [MemberData(nameof(Writers))]
    public void A_state_file_is_flushed_before_its_rename_and_its_folder_after(string writer)
    {
        var (folder, target, write) = Writer(writer);
        write(); // the first write creates the file; the traced one replaces it

        var calls = SyscallTrace.Of(write, _dir.Path);

        var rename = calls.ToList().FindIndex(call => call.StartsWith("rename", StringComparison.Ordinal) && call.Contains($"\"{target}\""));
        Assert.True(rename >= 0, $"no rename onto {target} in:\n{string.Join("\n", calls)}");
        var temporary = calls[rename].Split('"')[1];
        Assert.True(calls.Take(rename).Any(call => call.StartsWith("fsync(", StringComparison.Ordinal) && call.Contains($"<{temporary}>")),
            $"{temporary} is not flushed before it is renamed:\n{string.Join("\n", calls)}");
        Assert.True(calls.Skip(rename + 1).Any(call => call.StartsWith("fsync(", StringComparison.Ordinal) && call.Contains($"<{folder}>")),
            $"the folder {folder} is not flushed after the rename:\n{string.Join("\n", calls)}");
        Assert.Equal([Path.GetFileName(target)], Directory.GetFiles(folder).Select(Path.GetFileName));
    }

    private (string Folder, string Target, Action Write) Writer(string writer)
    {
        switch (writer)
        {
            case "switches":
            {
                var switches = new CameraSwitches(_dir.Path, new CameraSlots(new AgentOptions { Cameras = [new CameraOptions { Name = "press" }] }), NullLogger<CameraSwitches>.Instance);
                var enabled = false;
                var folder = Path.Combine(_dir.Path, "control");
                return (folder, Path.Combine(folder, "switches.json"), () => switches.SetEnabled(0, enabled = !enabled));
            }
            case "profile":
            {
                var profile = new NormalProfile("press", new ModelIdentity("videomambapro", "custom", 8, 2, 16, "random seed 0", new string('a', 64)), grid: 1)
                {
                    LocalThreshold = 3, MotionThreshold = 3, SpeedThreshold = 3, LightingThreshold = 3, ShiftThreshold = 3, PatternThreshold = 3, // as a fitted profile has them
                };
                var folder = Path.Combine(_dir.Path, "profiles");
                var target = Path.Combine(folder, "press.profile");
                return (folder, target, () => profile.Save(target));
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(writer), writer, null);
        }
    }

    public void Dispose() => _dir.Dispose();
}
