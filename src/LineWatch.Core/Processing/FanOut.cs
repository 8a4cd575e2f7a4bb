using Microsoft.Extensions.Logging;

namespace LineWatch.Processing;

/// <summary>
/// Hands each item to every sink, in the order they were composed, isolating them: a sink that throws is counted
/// and logged (its first failure and every thousandth after, so a sink failing on every window cannot flood the
/// log) and the others still get the item. The one way the agent fans out windows and alert events.
/// </summary>
public sealed class FanOut<TSink>(IReadOnlyList<TSink> sinks, string what, ILogger logger) where TSink : class
{
    private readonly long[] _failures = new long[sinks.Count];

    public IReadOnlyList<TSink> Sinks => sinks;

    /// <summary>How often the sink at <paramref name="index"/> has thrown.</summary>
    public long FailuresOf(int index) => Interlocked.Read(ref _failures[index]);

    /// <param name="deliver">How a sink takes an item; a static lambda, so delivering allocates nothing.</param>
    public void Deliver<TItem>(TItem item, Action<TSink, TItem> deliver)
    {
        for (var i = 0; i < sinks.Count; i++)
        {
            try
            {
                deliver(sinks[i], item);
            }
            catch (Exception e)
            {
                var failures = Interlocked.Increment(ref _failures[i]);
                if (failures == 1 || failures % 1000 == 0)
                {
                    logger.LogError(e, "{What} sink {Sink} failed ({Failures} time(s) so far)", what, sinks[i].GetType().Name, failures);
                }
            }
        }
    }
}
