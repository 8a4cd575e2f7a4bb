using LineWatch.Processing;
using Microsoft.Extensions.Logging.Abstractions;

namespace LineWatch.Tests.Processing;

public class FanOutTests
{
    private sealed class Sink(string name, List<string> log, bool fails = false)
    {
        public void Take(int item)
        {
            if (fails) throw new InvalidOperationException($"{name} is broken");
            log.Add($"{name}:{item}");
        }
    }

    [Fact]
    public void Every_sink_gets_every_item_in_the_composed_order_even_after_one_throws()
    {
        var log = new List<string>();
        var fanOut = new FanOut<Sink>([new Sink("a", log), new Sink("broken", log, fails: true), new Sink("c", log)], "Test", NullLogger.Instance);

        fanOut.Deliver(1, static (sink, item) => sink.Take(item));
        fanOut.Deliver(2, static (sink, item) => sink.Take(item));

        Assert.Equal(["a:1", "c:1", "a:2", "c:2"], log);
        Assert.Equal(0, fanOut.FailuresOf(0));
        Assert.Equal(2, fanOut.FailuresOf(1));
        Assert.Equal(0, fanOut.FailuresOf(2));
    }
}
