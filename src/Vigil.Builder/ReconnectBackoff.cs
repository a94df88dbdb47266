namespace Vigil.Builder;

/// <summary>
/// Delay before reconnect attempt n: exponential (initial × 2ⁿ, capped) with "equal jitter": a
/// uniformly random point in the upper half of that window. The lower half bound keeps a flapping
/// server from being hammered; the random half spreads a fleet of builders that lost the server at
/// the same instant, so they do not all come back in the same millisecond.
/// </summary>
public sealed class ReconnectBackoff(TimeSpan initial, TimeSpan max, Random random)
{
    public TimeSpan Delay(int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        var window = Window(attempt);
        return TimeSpan.FromTicks(window.Ticks / 2 + (long)(random.NextDouble() * (window.Ticks / 2)));
    }

    /// <summary>The cap of attempt n's delay: initial × 2ⁿ, at most max.</summary>
    public TimeSpan Window(int attempt)
    {
        var factor = Math.Pow(2, Math.Min(attempt, 40));
        var ticks = initial.Ticks * factor;
        return ticks >= max.Ticks ? max : TimeSpan.FromTicks((long)ticks);
    }
}
