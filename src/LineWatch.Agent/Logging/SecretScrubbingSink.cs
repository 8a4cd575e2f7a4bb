using LineWatch.Configuration;
using Serilog.Core;
using Serilog.Events;

namespace LineWatch.Agent.Logging;

/// <summary>
/// Sits in front of every sink and replaces configured secrets (MQTT password, camera URL passwords, auth
/// hashes) in property values and exception text, so no code path can leak one into a log by accident.
/// </summary>
internal sealed class SecretScrubbingSink(ILogEventSink inner, IReadOnlyList<string> secrets) : ILogEventSink, IDisposable
{
    public void Emit(LogEvent logEvent)
    {
        if (secrets.Count == 0)
        {
            inner.Emit(logEvent);
            return;
        }
        var properties = logEvent.Properties.Select(p => new LogEventProperty(p.Key, Scrub(p.Value)));
        var exception = logEvent.Exception is { } e && Mentions(e.ToString()) ? new ScrubbedException(SecretValues.Scrub(e.ToString(), secrets)) : logEvent.Exception;
        inner.Emit(new LogEvent(logEvent.Timestamp, logEvent.Level, exception, logEvent.MessageTemplate, properties));
    }

    private LogEventPropertyValue Scrub(LogEventPropertyValue value) => value switch
    {
        ScalarValue { Value: string s } when Mentions(s) => new ScalarValue(SecretValues.Scrub(s, secrets)),
        ScalarValue { Value: Uri u } when Mentions(u.ToString()) => new ScalarValue(SecretValues.Scrub(u.ToString(), secrets)),
        SequenceValue seq => new SequenceValue(seq.Elements.Select(Scrub)),
        StructureValue st => new StructureValue(st.Properties.Select(p => new LogEventProperty(p.Name, Scrub(p.Value))), st.TypeTag),
        DictionaryValue dict => new DictionaryValue(dict.Elements.Select(kv => new KeyValuePair<ScalarValue, LogEventPropertyValue>(kv.Key, Scrub(kv.Value)))),
        _ => value,
    };

    private bool Mentions(string text) => secrets.Any(s => text.Contains(s, StringComparison.Ordinal));

    public void Dispose() => (inner as IDisposable)?.Dispose();

    /// <summary>Stands in for an exception whose text mentioned a secret; ToString gives the scrubbed original.</summary>
    private sealed class ScrubbedException(string text) : Exception(text.Split('\n', 2)[0])
    {
        public override string ToString() => text;
    }
}
