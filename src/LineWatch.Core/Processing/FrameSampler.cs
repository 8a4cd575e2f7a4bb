using System.Diagnostics;

namespace LineWatch.Processing;

/// <summary>
/// Picks frames at the analysis rate from whatever rate the camera delivers: a frame is taken when it is due,
/// the ones in between are skipped. Always the newest frame, never a queued one, so analysis is never behind
/// the camera. After a pause (reconnect, slow read) it starts afresh instead of catching up.
/// </summary>
public sealed class FrameSampler(double framesPerSecond)
{
    private readonly long _period = (long)(Stopwatch.Frequency / framesPerSecond);
    private long _due;

    public bool Take(long now)
    {
        if (_due != 0 && now < _due) return false;
        _due = _due == 0 || now - _due > _period ? now + _period : _due + _period;
        return true;
    }

    public void Reset() => _due = 0;
}
