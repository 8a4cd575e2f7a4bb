namespace LineWatch.Simulation;

/// <summary>
/// How hard the camera makes normal operation look: 0 = a perfect camera, 1 = what the generator always had
/// (slow lighting drift, light sensor noise, a little shake, crf 26), 2 and 3 beyond (stronger drift, mains
/// flicker, heavier noise and shake, harder compression). Nothing here is ever labelled as a fault: footage at
/// level 2 or 3 is the test of whether the detector keeps quiet through it.
/// </summary>
/// <param name="DriftScale">Multiplies the lighting drift (a 2-minute swing of ±8% and a random walk within ±5% at 1).</param>
/// <param name="ShakeStep">Size of the camera's random jolts, px.</param>
/// <param name="ShakeLimit">The furthest the view wanders, px.</param>
/// <param name="FlickerAmplitude">Fast brightness modulation, as mains flicker aliased by the frame rate (fraction).</param>
/// <param name="NoiseBits">Sensor noise spans 2^bits levels; 0 for none.</param>
/// <param name="Crf">The H.264 constant rate factor the video is written with.</param>
public sealed record NuisanceLevel(int Level, double DriftScale, double ShakeStep, int ShakeLimit, double FlickerAmplitude, int NoiseBits, int Crf)
{
    public const int Max = 3;

    public static NuisanceLevel Of(int level) => level switch
    {
        0 => new(0, 0, 0, 0, 0, 0, 18),
        1 => new(1, 1, 1.2, 3, 0, 3, 26),
        2 => new(2, 2, 2.0, 5, 0.03, 4, 31),
        3 => new(3, 3, 3.0, 8, 0.06, 5, 35),
        _ => throw new ArgumentException($"nuisance level {level}: use 0 (none), 1 (default), 2 or {Max}"),
    };

    /// <summary>The canvas border the shake needs.</summary>
    public int Margin => ShakeLimit + 1;
}
