using LineWatch.Processing;
using LineWatch.Tests.Dashboard;

namespace LineWatch.Tests.Processing;

public sealed class RateWindowTests
{
    private readonly ManualClock _clock = new();
    private readonly RateWindow _window;

    public RateWindowTests() => _window = new RateWindow(TimeSpan.FromSeconds(5), _clock);

    [Fact]
    public void A_camera_that_stops_reads_its_rate_over_the_last_five_seconds_not_the_last_five_readings()
    {
        long frames = 0;
        // 8 frames a second for 10 s, read four times a second (the timer, MQTT and the dashboard all read it).
        for (var step = 0; step < 40; step++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(250));
            frames += 2;
            _window.Rates([frames]);
        }
        Assert.Equal(8, _window.Rates([frames])[0], 1);

        // The camera stops. Two seconds later three of the last five seconds still had frames: 24 over 5 s.
        for (var step = 0; step < 8; step++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(250));
            _window.Rates([frames]);
        }
        Assert.Equal(4.8, _window.Rates([frames])[0], 1);

        _clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(0, _window.Rates([frames])[0], 1);
    }

    [Fact]
    public void A_counter_that_starts_again_from_zero_reads_no_rate_rather_than_a_negative_one_until_its_base_is_past_the_restart()
    {
        // Camera slot 0 counts 8 frames a second; then a new camera takes the slot and its counters start from zero.
        for (var step = 0; step < 40; step++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(250));
            _window.Rates([2L * (step + 1)]);
        }
        long frames = 0;
        for (var step = 0; step < 8; step++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(250));
            frames += 2;
            Assert.Equal(0, _window.Rates([frames])[0]);
        }

        for (var step = 0; step < 24; step++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(250));
            frames += 2;
            _window.Rates([frames]);
        }
        Assert.Equal(8, _window.Rates([frames])[0], 1);
    }

    [Fact]
    public void Extra_readings_in_quick_succession_do_not_shrink_the_window_to_nothing()
    {
        long frames = 0;
        for (var second = 0; second < 10; second++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            frames += 8;
            _window.Rates([frames, frames / 2]);
        }
        // An alert: the dashboard and MQTT each take a fresh snapshot at once, a dozen in a few milliseconds.
        for (var i = 0; i < 12; i++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(1));
            var rates = _window.Rates([frames, frames / 2]);
            Assert.Equal(8, rates[0], 1);
            Assert.Equal(4, rates[1], 1);
        }
    }

    [Fact]
    public void Before_half_a_second_has_passed_there_is_no_rate_yet()
    {
        Assert.Equal(0, _window.Rates([100])[0]);
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(0, _window.Rates([110])[0]);
        _clock.Advance(TimeSpan.FromMilliseconds(900));
        Assert.Equal(16, _window.Rates([116])[0], 1);
    }
}
