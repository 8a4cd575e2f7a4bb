using LineWatch.Capture;
using LineWatch.IntegrationTests.Support;

namespace LineWatch.IntegrationTests.Capture;

/// <summary>
/// A camera's password reaches the camera and no one else: every local user can read any process's arguments
/// (/proc/PID/cmdline), so the ffmpeg relay must not be given the URL there. The test RTSP server checks the
/// credentials (RTSP Basic), so a stream that plays proves they arrived.
/// </summary>
public sealed class CameraCredentialsTests
{
    private readonly string _password = "Secr3t-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public void The_stream_plays_with_the_password_and_no_process_has_it_in_its_arguments()
    {
        using var server = new RtspServer(user: $"admin:{_password}");
        using var video = VideoSource.Open(server.UrlWith($"admin:{_password}"), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10));

        for (var i = 0; i < 10; i++) Assert.True(video.TryRead(out _), $"frame {i}");
        Assert.Equal(320, video.Info.Width);

        var relays = ChildProcesses("ffmpeg");
        Assert.NotEmpty(relays);
        var exposed = AllCommandLines().Where(entry => entry.CommandLine.Contains(_password, StringComparison.Ordinal)).ToList();
        Assert.True(exposed.Count == 0, "the password is in the arguments of " + string.Join("; ", exposed.Select(e => $"{e.Pid}: {e.CommandLine}")));
    }

    [Fact]
    public void A_wrong_password_is_refused_by_the_camera_and_the_reason_says_so()
    {
        using var server = new RtspServer(user: $"admin:{_password}");
        var error = Assert.Throws<VideoSourceException>(() => VideoSource.Open(server.UrlWith("admin:not-it"), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10)));
        Assert.Contains("401", error.Message);
    }

    private static List<int> ChildProcesses(string name) =>
        Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(entry => int.TryParse(entry, out _)).Select(int.Parse!)
            .Where(pid => Read($"/proc/{pid}/stat") is { } stat && stat.Contains($"({name})")
                          && stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1] == Environment.ProcessId.ToString())
            .ToList();

    private static IEnumerable<(int Pid, string CommandLine)> AllCommandLines() =>
        Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(entry => int.TryParse(entry, out _)).Select(int.Parse!)
            .Select(pid => (pid, Read($"/proc/{pid}/cmdline")?.Replace('\0', ' ') ?? ""));

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null; // the process ended meanwhile
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
