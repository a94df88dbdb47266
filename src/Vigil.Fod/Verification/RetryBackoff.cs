using System.Net.Http.Headers;

namespace Vigil.Fod.Verification;

/// <summary>
/// Exponential backoff with jitter, and the server's <c>Retry-After</c> where it sent one. Own code
/// rather than Polly: the whole policy is these few lines over an injected clock and random
/// source, which the tests drive without sleeping, and the CLI stays free of DI plumbing and
/// trimming caveats in its Native AOT build.
/// </summary>
internal static class RetryBackoff
{
    /// <summary>The wait before retry number <paramref name="retry"/> (0-based): base·2^retry, capped, times a factor in [0.5, 1.5).</summary>
    public static TimeSpan Delay(int retry, TimeSpan baseDelay, TimeSpan maxDelay, double unitRandom)
    {
        var exponential = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retry, 30));
        var capped = Math.Min(exponential, maxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.5 + unitRandom));
    }

    /// <summary>The delay a <c>Retry-After</c> header asks for (seconds or an HTTP date), null when absent.</summary>
    public static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        if (header is null)
        {
            return null;
        }
        if (header.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }
        if (header.Date is { } date)
        {
            var wait = date - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }
}
