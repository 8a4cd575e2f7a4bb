using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace LineWatch.IntegrationTests.Support;

/// <summary>A logger that keeps every line, so a test can check what a component told the operator.</summary>
internal sealed class LogRecorder<T> : ILogger<T>
{
    private readonly ConcurrentQueue<string> _lines = new();

    public string Text => string.Join("\n", _lines);

    public int Count(string text) => _lines.Count(l => l.Contains(text, StringComparison.Ordinal));

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
}
