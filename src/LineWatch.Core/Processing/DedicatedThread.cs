namespace LineWatch.Processing;

/// <summary>
/// A long-running loop on its own named background thread (capture, inference), stopped by cancelling its
/// token and joining within a bound. Stop and Dispose may be called more than once.
/// </summary>
internal sealed class DedicatedThread : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private bool _disposed;

    public DedicatedThread(string name, Action loop) => _thread = new Thread(() => loop()) { IsBackground = true, Name = name };

    public CancellationToken Token => _stop.Token;

    public void Start() => _thread.Start();

    public void Stop(TimeSpan timeout)
    {
        if (_disposed) return;
        _stop.Cancel();
        if (_thread.IsAlive) _thread.Join(timeout);
    }

    public void Dispose()
    {
        if (_disposed) return;
        Stop(TimeSpan.FromSeconds(5));
        _disposed = true;
        _stop.Dispose();
    }
}
