using LineWatch.Configuration;
using LineWatch.Processing;
using LineWatch.Scoring;
using LineWatch.Tests.Configuration;
using Microsoft.Extensions.Logging;

namespace LineWatch.Tests.Scoring;

/// <summary>
/// A damaged but parseable profile in DataDir/profiles (issue #15 item 5): it used to crash-loop every camera; now that
/// camera runs unscored, the reason is logged naming the file, and the scorer (the inference thread's) carries on.
/// </summary>
public sealed class ProfileScorerTests
{
    [Theory]
    [InlineData(0, 8)]
    [InlineData(1, -3)]
    [InlineData(1, 100000)]
    public void A_profile_with_an_impossible_shape_leaves_its_camera_unscored_with_the_file_named(int grid, int dim)
    {
        using var dir = new TempConfig("{}");
        var path = ProfileStore.PathFor(dir.Directory, "cam");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        NormalProfileTests.WriteHeader(path, NormalProfileTests.Header(grid, dim, "[0.5]"));
        var logger = new ListLogger();

        using var scorer = new ProfileScorer(dir.Directory, [new CameraOptions { Name = "cam", Source = "demo:" }], NormalProfileTests.Model, logger);
        var window = new WindowResult { CameraIndex = 0, Camera = "cam" };
        scorer.Score(window);

        Assert.Null(scorer.ProfileOf(0));
        Assert.Null(window.Score);
        var error = Assert.Single(logger.Errors);
        Assert.Contains("cam: profile not used", error);
        Assert.Contains(path, error);
    }

    [Fact]
    public void A_new_camera_in_a_removed_cameras_slot_is_scored_by_its_own_profile_file_not_the_removed_cameras()
    {
        using var dir = new TempConfig("{}");
        var path = ProfileStore.PathFor(dir.Directory, "paint");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        NormalProfileTests.WriteHeader(path, NormalProfileTests.Header(0, 8, "[0.5]"));
        var logger = new ListLogger();
        using var scorer = new ProfileScorer(dir.Directory, [new CameraOptions { Name = "cam", Source = "demo:" }], NormalProfileTests.Model, logger);
        Assert.Empty(logger.Errors); // cam has no profile: unscored, nothing wrong

        // cam was removed and paint took its slot: paint's file is read (and found damaged), as for a camera in a slot never used.
        scorer.Open(0, new CameraOptions { Name = "paint", Source = "demo:" });

        var error = Assert.Single(logger.Errors);
        Assert.Contains("paint: profile not used", error);
        Assert.Contains(path, error);
    }

    private sealed class ListLogger : ILogger<ProfileScorer>
    {
        public List<string> Errors { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Error) Errors.Add(formatter(state, exception));
        }
    }
}
