using LineWatch.Configuration;
using LineWatch.Processing;

namespace LineWatch.Scoring;

/// <summary>
/// Learns a camera's normal operation from footage: windows go, in blocks, either into the profile's fit or
/// into a held-out set (every k-th block, k = 1 / HoldOutFraction), on which the thresholds are then calibrated
/// for the target false-alarm rate. Blocks rather than single windows, because neighbouring windows overlap.
/// </summary>
public static class ProfileLearner
{
    private const int BlockWindows = 20;

    public sealed record Result(NormalProfile Profile, int FittedWindows, int HeldOutWindows, double HeldOutMaxScore);

    public static Result Learn(BackboneRunner runner, ModelIdentity model, string camera, IReadOnlyList<string> videos, CameraOptions cameraOptions,
        LearningOptions options, Action<string>? progress = null, double maxSecondsPerVideo = double.PositiveInfinity)
    {
        var grid = model.ImageSize / 16;
        var profile = new NormalProfile(camera, model, grid);
        var heldOut = new List<(float[] Embedding, float[] Tokens)>();
        var every = Math.Max(2, (int)Math.Round(1 / options.HoldOutFraction));
        var index = 0;
        foreach (var video in videos)
        {
            progress?.Invoke($"reading {video}");
            VideoWindows.Run(video, runner, cameraOptions.AnalysisFps, cameraOptions.Stride, cameraOptions.SettleSeconds, (in OfflineWindow w) =>
            {
                if (index / BlockWindows % every == every - 1) heldOut.Add((w.Embedding.ToArray(), w.Tokens.ToArray()));
                else profile.Add(w.Embedding, w.Tokens);
                index++;
            }, maxSecondsPerVideo);
        }
        if (profile.Windows < 50 || heldOut.Count < 10)
        {
            throw new InvalidOperationException($"not enough normal footage: {profile.Windows} windows to fit and {heldOut.Count} to calibrate (need 50 and 10; give more or longer videos)");
        }
        progress?.Invoke($"fitting on {profile.Windows} windows, calibrating on {heldOut.Count}");
        var map = new float[grid * grid];
        var scratch = new float[model.Dim];
        var scores = heldOut.Select(h => profile.Score(h.Embedding, h.Tokens, map, scratch)).ToList();
        var windowsPerSecond = cameraOptions.AnalysisFps / cameraOptions.Stride;
        // The combined score alerts when any of its three parts does, so each gets a third of the allowed rate.
        var windowsPerFalseAlarm = 3 * options.ShiftHours * 3600 * windowsPerSecond / options.FalseAlarmsPerShift;
        profile.GlobalThreshold = ThresholdCalibration.Calibrate(scores.Select(s => s.Global).ToList(), windowsPerFalseAlarm);
        profile.LocalThreshold = ThresholdCalibration.Calibrate(scores.Select(s => s.Local).ToList(), windowsPerFalseAlarm);
        profile.MotionThreshold = ThresholdCalibration.Calibrate(scores.Select(s => s.Motion).ToList(), windowsPerFalseAlarm);
        var maxNormalised = heldOut.Max(h => profile.Score(h.Embedding, h.Tokens, map, scratch).Score);
        return new Result(profile, (int)profile.Windows, heldOut.Count, maxNormalised);
    }
}
