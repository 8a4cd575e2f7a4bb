using LineWatch.Configuration;
using LineWatch.Processing;

namespace LineWatch.Scoring;

/// <summary>Learns a camera's normal operation from footage (the `linewatch learn` verb), through a <see cref="ProfileFitter"/>.</summary>
public static class ProfileLearner
{
    public static ProfileFitter.Result Learn(BackboneRunner runner, ModelIdentity model, string camera, IReadOnlyList<string> videos, CameraOptions cameraOptions,
        LearningOptions options, Action<string>? progress = null, double maxSecondsPerVideo = double.PositiveInfinity, string? cacheDirectory = null)
    {
        var fitter = new ProfileFitter(camera, model, options, cameraOptions.WindowsPerSecond());
        foreach (var video in videos)
        {
            progress?.Invoke($"reading {video}");
            WindowCache.Run(cacheDirectory, video, model, runner, cameraOptions, (in OfflineWindow w) => fitter.Add(w.Tokens, w.Signals), maxSecondsPerVideo);
        }
        progress?.Invoke($"fitting on {fitter.Windows} windows");
        return fitter.Finish();
    }
}
