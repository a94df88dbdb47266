namespace Vigil.Farm.Scheduling;

/// <summary>
/// Retries of retryable outcomes: at most MaxAttempts attempts in all; after the n-th failed attempt
/// the step waits d = min(BaseDelay × Factor^(n−1), MaxDelay) plus a random jitter in [0, Jitter × d),
/// so steps failed together by one lost builder do not all come back at the same instant.
/// Defaults are Hydra's (5 tries, 60 s, ×3), with jitter.
/// </summary>
public sealed record RetryPolicy(int MaxAttempts, TimeSpan BaseDelay, double Factor, double Jitter, TimeSpan MaxDelay)
{
    public static RetryPolicy Default { get; } = new(5, TimeSpan.FromSeconds(60), 3.0, 0.25, TimeSpan.FromHours(1));

    /// <summary>The wait after the <paramref name="failedAttempts"/>-th failed attempt (≥ 1).</summary>
    public TimeSpan Delay(int failedAttempts, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempts, 1);
        ArgumentNullException.ThrowIfNull(random);
        var ticks = Math.Min(BaseDelay.Ticks * Math.Pow(Factor, failedAttempts - 1), MaxDelay.Ticks);
        return TimeSpan.FromTicks((long)(ticks + (ticks * Jitter * random.NextDouble())));
    }
}
