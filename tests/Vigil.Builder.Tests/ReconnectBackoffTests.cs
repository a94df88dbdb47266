using CsCheck;

namespace Vigil.Builder.Tests;

public sealed class ReconnectBackoffTests
{
    [Fact]
    public void Delays_stay_in_the_upper_half_of_a_doubling_capped_window()
    {
        Gen.Select(Gen.Int[1, 5000], Gen.Int[1, 120], Gen.Int[0, 100], Gen.Int).Sample((initialMs, maxSeconds, attempt, seed) =>
        {
            var initial = TimeSpan.FromMilliseconds(initialMs);
            var max = TimeSpan.FromSeconds(maxSeconds);
            var backoff = new ReconnectBackoff(initial, max, new Random(seed));
            var window = backoff.Window(attempt);
            Assert.True(window <= max);
            Assert.True(window >= TimeSpan.FromTicks(Math.Min(initial.Ticks, max.Ticks)));
            var delay = backoff.Delay(attempt);
            Assert.InRange(delay, window / 2, window);
        });
    }

    [Fact]
    public void The_window_doubles_until_the_cap_and_jitter_spreads_builders()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), new Random(1));
        Assert.Equal([1, 2, 4, 8, 16, 32, 60, 60], Enumerable.Range(0, 8).Select(a => backoff.Window(a).TotalSeconds));
        var delays = Enumerable.Range(0, 50).Select(_ => backoff.Delay(5)).Distinct().Count();
        Assert.True(delays > 40, "fifty builders reconnecting at attempt 5 do not pick the same instant");
    }
}
