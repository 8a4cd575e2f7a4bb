namespace LineWatch.Simulation;

/// <summary>
/// The camera looking at the scene: its pose (a fixed warp of the view), shake (where it crops the canvas),
/// lighting drift and mains flicker, and sensor noise, at a <see cref="NuisanceLevel"/>. It turns a composed
/// canvas into an output frame; a frame can be developed more than once with the same shake, light and noise
/// (the scene compares a frame with and without a fault that way).
/// </summary>
internal sealed class LineCamera
{
    private readonly int _width, _height;
    private readonly NuisanceLevel _nuisance;
    private readonly Random _drift;
    private readonly double _flickerHz, _flickerPhase;
    private readonly PoseWarp? _warp;
    private readonly sbyte[] _noise;
    private uint _noiseState;
    private double _lightWalk;
    private double _shakeX, _shakeY;

    public LineCamera(int width, int height, int seed, NuisanceLevel nuisance, CameraPose pose)
    {
        _width = width;
        _height = height;
        _nuisance = nuisance;
        _drift = new Random(seed);
        _noiseState = (uint)seed * 2654435761u + 1;
        _noise = new sbyte[width * height * 3];
        // The flicker has its own generator so that the drift and noise of a seed are the same at every level.
        var flicker = new Random(unchecked(seed * 31 + 977));
        _flickerHz = 2.5 + 4.5 * flicker.NextDouble();      // 50/60 Hz lamps beat against 25 fps at a few Hz
        _flickerPhase = 2 * Math.PI * flicker.NextDouble();
        _warp = pose.IsStraight ? null : new PoseWarp(width, height, width + 2 * nuisance.Margin, pose);
        // Start the slow random processes (lighting walk, shake) in their steady state, as for a camera that has
        // been running: from rest, the first seconds would be a state the rest of the video never returns to.
        for (var i = 0; i < 500; i++) StepDrift();
    }

    /// <summary>The canvas border the camera needs around the view.</summary>
    public int Margin => _nuisance.Margin;

    /// <summary>Moves the camera on by one frame: shake, lighting walk, and this frame's sensor noise.</summary>
    public void Advance()
    {
        StepDrift();
        if (_nuisance.NoiseBits == 0) return;
        var mask = (1u << _nuisance.NoiseBits) - 1;
        var centre = (int)(mask >> 1);
        var state = _noiseState;
        var noise = _noise.AsSpan();
        for (var i = 0; i < noise.Length; i++)
        {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            noise[i] = (sbyte)((int)(state & mask) - centre);
        }
        _noiseState = state;
    }

    /// <summary>Crops (and warps) the canvas into <paramref name="bgr"/> under this frame's light and noise;
    /// <paramref name="lightFactor"/> is the scene's own light (1 unless the lights fail).</summary>
    public void Develop(Canvas canvas, double t, double lightFactor, Span<byte> bgr)
    {
        var flicker = 1 + _nuisance.FlickerAmplitude * Math.Sin(2 * Math.PI * _flickerHz * t + _flickerPhase);
        var light = (1 + 0.08 * _nuisance.DriftScale * Math.Sin(2 * Math.PI * t / 120) + _lightWalk) * flicker * lightFactor;
        int ox = Margin + (int)Math.Round(_shakeX), oy = Margin + (int)Math.Round(_shakeY);

        Span<byte> lut = stackalloc byte[256];
        for (var v = 0; v < 256; v++) lut[v] = (byte)Math.Clamp(v * light, 0, 255);
        var noisy = _nuisance.NoiseBits > 0;
        if (_warp is null)
        {
            for (var y = 0; y < _height; y++)
            {
                var src = canvas.Pixels.AsSpan(((y + oy) * canvas.Width + ox) * 3, _width * 3);
                var dst = bgr.Slice(y * _width * 3, _width * 3);
                var noise = _noise.AsSpan(y * _width * 3, _width * 3);
                if (!noisy) { for (var i = 0; i < src.Length; i++) dst[i] = lut[src[i]]; continue; }
                for (var i = 0; i < src.Length; i++) dst[i] = (byte)Math.Clamp(lut[src[i]] + noise[i], 0, 255);
            }
            return;
        }
        _warp.Sample(canvas, ox, oy, lut, noisy ? _noise : null, bgr);
    }

    private void StepDrift()
    {
        var scale = _nuisance.DriftScale;
        _lightWalk = Math.Clamp(_lightWalk + (_drift.NextDouble() - 0.5) * 0.004 * scale, -0.05 * scale, 0.05 * scale);
        var limit = _nuisance.ShakeLimit;
        _shakeX = Math.Clamp(_shakeX * 0.9 + (_drift.NextDouble() - 0.5) * _nuisance.ShakeStep, -limit, limit);
        _shakeY = Math.Clamp(_shakeY * 0.9 + (_drift.NextDouble() - 0.5) * _nuisance.ShakeStep, -limit, limit);
    }
}
