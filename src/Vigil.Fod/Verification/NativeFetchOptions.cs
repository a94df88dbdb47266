namespace Vigil.Fod.Verification;

/// <summary>
/// Politeness and robustness limits of native verification. Defaults suit upstream servers:
/// a few connections per host, a handful of retries for transient failures only.
/// </summary>
/// <param name="MaxConcurrency">Downloads in flight overall.</param>
/// <param name="PerHost">Downloads in flight per host (0: no per-host limit).</param>
/// <param name="AttemptTimeout">One attempt, headers and whole body; a slow drip ends here.</param>
/// <param name="ConnectTimeout">Establishing the connection.</param>
/// <param name="MaxBodyBytes">A body longer than this (declared or streamed) is refused.</param>
/// <param name="MaxRedirects">Redirects followed per request; a loop ends here.</param>
/// <param name="MaxRetries">Retries of a transient failure (5xx, 429, 408, reset, timeout) per URL.</param>
/// <param name="BaseDelay">First backoff; doubles each retry, with ±50% jitter.</param>
/// <param name="MaxDelay">Cap of one backoff.</param>
/// <param name="MaxRetryAfter">The longest <c>Retry-After</c> honoured; a server asking for more counts as unreachable.</param>
public sealed record NativeFetchOptions(
    int MaxConcurrency = 16,
    int PerHost = 4,
    TimeSpan? AttemptTimeout = null,
    TimeSpan? ConnectTimeout = null,
    long MaxBodyBytes = 4L << 30,
    int MaxRedirects = 10,
    int MaxRetries = 3,
    TimeSpan? BaseDelay = null,
    TimeSpan? MaxDelay = null,
    TimeSpan? MaxRetryAfter = null)
{
    public TimeSpan AttemptTimeoutOrDefault => AttemptTimeout ?? TimeSpan.FromMinutes(10);

    public TimeSpan ConnectTimeoutOrDefault => ConnectTimeout ?? TimeSpan.FromSeconds(30);

    public TimeSpan BaseDelayOrDefault => BaseDelay ?? TimeSpan.FromSeconds(1);

    public TimeSpan MaxDelayOrDefault => MaxDelay ?? TimeSpan.FromSeconds(60);

    public TimeSpan MaxRetryAfterOrDefault => MaxRetryAfter ?? TimeSpan.FromMinutes(5);
}
