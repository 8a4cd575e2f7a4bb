namespace LineWatch.Record;

/// <summary>What <see cref="PreRollRing.TryRead"/> found at a sequence number.</summary>
public enum RingRead { Copied, NotYet, Overwritten }

/// <summary>
/// A camera's recent video: JPEG frames with their capture times, in one byte arena and a table of entries, both
/// made once. The capture thread appends (copying into the arena, never allocating); the oldest frames are
/// overwritten when either the table or the arena is full. The same ring is the queue to the clip writer: it reads
/// by sequence number behind the capture thread, and a writer that falls further behind than the ring holds finds
/// its next frames overwritten (the drop policy: the oldest unwritten frames go, capture never waits).
/// </summary>
public sealed class PreRollRing
{
    private readonly byte[] _arena;
    private readonly long[] _starts, _ticks;
    private readonly int[] _lengths;
    private readonly Lock _lock = new();
    private readonly AutoResetEvent _appended = new(false);
    private long _head, _next, _oldest, _tooLarge;

    /// <param name="frames">Entries the table holds.</param>
    /// <param name="bytes">Bytes the arena holds for all of them.</param>
    public PreRollRing(int frames, int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frames, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 256);
        _arena = new byte[bytes];
        _starts = new long[frames];
        _ticks = new long[frames];
        _lengths = new int[frames];
    }

    public int FrameCapacity => _lengths.Length;
    public int ByteCapacity => _arena.Length;

    /// <summary>Frames not kept because one alone would take more than a quarter of the arena.</summary>
    public long TooLarge => Interlocked.Read(ref _tooLarge);

    /// <summary>Signalled after each append, for a reader waiting for the next frame.</summary>
    public WaitHandle Appended => _appended;

    /// <summary>The sequence number the next frame will get.</summary>
    public long Next { get { lock (_lock) return _next; } }

    /// <summary>Capture time (Stopwatch ticks) of the oldest frame still held, or null when empty.</summary>
    public long? OldestTicks { get { lock (_lock) return _oldest < _next ? _ticks[_oldest % _ticks.Length] : null; } }

    /// <summary>Seconds of video held now: from the oldest frame to the newest.</summary>
    public double HeldSeconds
    {
        get
        {
            lock (_lock)
            {
                if (_next - _oldest < 2) return 0;
                return (_ticks[(_next - 1) % _ticks.Length] - _ticks[_oldest % _ticks.Length]) / (double)System.Diagnostics.Stopwatch.Frequency;
            }
        }
    }

    /// <summary>On the capture thread: keeps a copy of <paramref name="jpeg"/>, taken at <paramref name="ticks"/>.</summary>
    public void Append(ReadOnlySpan<byte> jpeg, long ticks)
    {
        if (jpeg.Length > _arena.Length / 4)
        {
            Interlocked.Increment(ref _tooLarge);
            return;
        }
        lock (_lock)
        {
            // Each frame lies in one piece: one that would wrap starts again at the arena's beginning.
            var position = (int)(_head % _arena.Length);
            if (position + jpeg.Length > _arena.Length)
            {
                _head += _arena.Length - position;
                position = 0;
            }
            var start = _head;
            _head += jpeg.Length;
            if (_next - _oldest == _lengths.Length) _oldest++;
            while (_oldest < _next && _starts[_oldest % _starts.Length] < _head - _arena.Length) _oldest++;
            jpeg.CopyTo(_arena.AsSpan(position));
            var slot = _next % _lengths.Length;
            (_starts[slot], _lengths[slot], _ticks[slot]) = (start, jpeg.Length, ticks);
            _next++;
        }
        _appended.Set();
    }

    /// <summary>The sequence number of the oldest frame taken at or after <paramref name="ticks"/>, or <see cref="Next"/> when none is.</summary>
    public long FirstAtOrAfter(long ticks)
    {
        lock (_lock)
        {
            for (var s = _oldest; s < _next; s++)
            {
                if (_ticks[s % _ticks.Length] >= ticks) return s;
            }
            return _next;
        }
    }

    /// <summary>
    /// Copies the frame with this sequence number into <paramref name="buffer"/> (grown when too small: the reader's
    /// own buffer, off the capture thread). <see cref="RingRead.Overwritten"/>: it is gone, and so are all before it.
    /// </summary>
    public RingRead TryRead(long sequence, ref byte[] buffer, out int length, out long ticks)
    {
        lock (_lock)
        {
            (length, ticks) = (0, 0);
            if (sequence < _oldest) return RingRead.Overwritten;
            if (sequence >= _next) return RingRead.NotYet;
            var slot = sequence % _lengths.Length;
            length = _lengths[slot];
            ticks = _ticks[slot];
            if (buffer.Length < length) buffer = new byte[Math.Max(length, buffer.Length * 2)];
            _arena.AsSpan((int)(_starts[slot] % _arena.Length), length).CopyTo(buffer);
            return RingRead.Copied;
        }
    }

    /// <summary>The oldest sequence number still held.</summary>
    public long Oldest { get { lock (_lock) return _oldest; } }
}
