using LineWatch.Configuration;

namespace LineWatch.Scoring;

/// <summary>
/// Builds a camera's normal profile from a stream of normal windows (from footage or from the live camera):
/// windows go, in blocks, either into the profile's fit or into a held-out set (every k-th block,
/// k = 1 / HoldOutFraction), on which the thresholds are then calibrated for the target false-alarm rate.
/// Blocks rather than single windows, because neighbouring windows overlap.
/// </summary>
public sealed class ProfileFitter(string camera, ModelIdentity model, LearningOptions options)
{
    private const int BlockWindows = 20;
    public const int MinFitWindows = 50;
    public const int MinHeldOutWindows = 10;

    private readonly NormalProfile _profile = new(camera, model, model.ImageSize / 16);
    private readonly List<(float[] Embedding, float[] Tokens)> _heldOut = [];
    private readonly int _every = Math.Max(2, (int)Math.Round(1 / options.HoldOutFraction));
    private int _index;

    public sealed record Result(NormalProfile Profile, int FittedWindows, int HeldOutWindows, double HeldOutMaxScore);

    public int Windows => _index;

    public void Add(ReadOnlySpan<float> embedding, ReadOnlySpan<float> tokens)
    {
        if (_index / BlockWindows % _every == _every - 1) _heldOut.Add((embedding.ToArray(), tokens.ToArray()));
        else _profile.Add(embedding, tokens);
        _index++;
    }

    /// <summary>Calibrates the thresholds for the camera's window rate.</summary>
    /// <exception cref="InvalidOperationException">Too few windows to fit or to calibrate.</exception>
    public Result Finish(CameraOptions cameraOptions)
    {
        if (_profile.Windows < MinFitWindows || _heldOut.Count < MinHeldOutWindows)
        {
            throw new InvalidOperationException($"not enough normal footage: {_profile.Windows} windows to fit and {_heldOut.Count} to calibrate (need {MinFitWindows} and {MinHeldOutWindows}; learn for longer)");
        }
        var map = new float[_profile.Grid * _profile.Grid];
        var scratch = new float[model.Dim];
        var scores = _heldOut.Select(h => _profile.Score(h.Embedding, h.Tokens, map, scratch)).ToList();
        var windowsPerSecond = cameraOptions.AnalysisFps / cameraOptions.Stride;
        // The combined score alerts when any of its three parts does, so each gets a third of the allowed rate.
        var windowsPerFalseAlarm = 3 * options.ShiftHours * 3600 * windowsPerSecond / options.FalseAlarmsPerShift;
        _profile.GlobalThreshold = ThresholdCalibration.Calibrate(scores.Select(s => s.Global).ToList(), windowsPerFalseAlarm);
        _profile.LocalThreshold = ThresholdCalibration.Calibrate(scores.Select(s => s.Local).ToList(), windowsPerFalseAlarm);
        _profile.MotionThreshold = ThresholdCalibration.Calibrate(scores.Select(s => s.Motion).ToList(), windowsPerFalseAlarm);
        var maxNormalised = _heldOut.Max(h => _profile.Score(h.Embedding, h.Tokens, map, scratch).Score);
        return new Result(_profile, (int)_profile.Windows, _heldOut.Count, maxNormalised);
    }
}
