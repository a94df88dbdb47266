using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Vigil.Nix.Fetchers;
using Vigil.Nix.Hashing;

namespace Vigil.Fod.Verification;

/// <summary>
/// Verifies flat <c>builtin:fetchurl</c> and nixpkgs <c>fetchurl</c> FODs without Nix: downloads
/// each URL in the fetcher's order, hashes the stream with the FOD's algorithm and compares. The
/// first URL that delivers a body decides (as the fetchers stop there); hashed mirrors and binary
/// caches are never asked, since they would answer by hash and hide a changed URL.
/// </summary>
public sealed class NativeFodVerifier : IFodVerifier, IDisposable
{
    private readonly NativeFetchOptions options;
    private readonly TimeProvider time;
    private readonly Func<double> random;
    private readonly HttpClient client;
    private readonly ConcurrencyLimiter global;
    private readonly ConcurrentDictionary<string, ConcurrencyLimiter> hosts = new(StringComparer.OrdinalIgnoreCase);

    /// <param name="time">Clock of backoff waits and timestamps (attempt timeouts run on real time: they are a safety net, not a schedule).</param>
    /// <param name="handler">The HTTP stack; null builds one with the options' connect and redirect limits.</param>
    /// <param name="random">Jitter source in [0, 1); null uses <see cref="Random.Shared"/>.</param>
    public NativeFodVerifier(NativeFetchOptions? options = null, TimeProvider? time = null, HttpMessageHandler? handler = null, Func<double>? random = null)
    {
        this.options = options ?? new NativeFetchOptions();
        if (this.options.MaxConcurrency < 1 || this.options.PerHost < 0)
        {
            throw new ArgumentException("concurrency must be at least 1 and the per-host limit at least 0 (0: none)");
        }
        this.time = time ?? TimeProvider.System;
        this.random = random ?? Random.Shared.NextDouble;
        client = new HttpClient(handler ?? new SocketsHttpHandler
        {
            AllowAutoRedirect = this.options.MaxRedirects > 0,
            MaxAutomaticRedirections = Math.Max(1, this.options.MaxRedirects),
            ConnectTimeout = this.options.ConnectTimeoutOrDefault,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            MaxConnectionsPerServer = this.options.PerHost > 0 ? this.options.PerHost : int.MaxValue,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("vigil-verify/1");
        global = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = this.options.MaxConcurrency, QueueLimit = int.MaxValue });
    }

    public VerificationMethod Method => VerificationMethod.Native;

    /// <summary>
    /// Flat fetchurl FODs whose bytes are the download itself: no post-fetch script, no unpacking,
    /// no executable bit, no download-to-temp (those rewrite or re-encode what is hashed).
    /// </summary>
    public bool CanVerify(FodRecord fod)
    {
        ArgumentNullException.ThrowIfNull(fod);
        return fod.HashMode == "flat"
            && fod.Fetcher is FetcherKind.BuiltinFetchurl or FetcherKind.Fetchurl
            && !fod.Recipe.Contains("\"postFetch\"", StringComparison.Ordinal)
            && !fod.Recipe.Contains("\"downloadToTemp\"", StringComparison.Ordinal)
            && !fod.Recipe.Contains("\"unpack\"", StringComparison.Ordinal)
            && !fod.Recipe.Contains("\"executable\"", StringComparison.Ordinal);
    }

    public async Task<VerificationResult> VerifyAsync(FodRecord fod, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fod);
        if (!CanVerify(fod))
        {
            return Result(fod, VerificationStatus.Skipped, null, null, "not a flat fetchurl FOD; verify it by rebuilding");
        }
        var urls = fod.Urls.Where(IsHttp).ToList();
        if (urls.Count == 0)
        {
            return Result(fod, VerificationStatus.Skipped, null, null, fod.Urls.Count == 0 ? "no URL" : "no http(s) URL among " + string.Join(' ', fod.Urls));
        }
        var failures = new List<string>();
        foreach (var url in urls)
        {
            var outcome = await FetchAsync(url, fod.Algorithm, cancellationToken).ConfigureAwait(false);
            if (outcome.Hash is { } hash)
            {
                var actual = hash.ToSri();
                return string.Equals(actual, fod.HashSri, StringComparison.Ordinal)
                    ? Result(fod, VerificationStatus.Ok, actual, url, null)
                    : Result(fod, VerificationStatus.HashMismatch, actual, url, $"{url} serves {actual}, not {fod.HashSri}");
            }
            failures.Add($"{url}: {outcome.Error}");
        }
        return Result(fod, VerificationStatus.Unreachable, null, urls[^1], string.Join("; ", failures));
    }

    public void Dispose()
    {
        client.Dispose();
        global.Dispose();
        foreach (var limiter in hosts.Values)
        {
            limiter.Dispose();
        }
    }

    private VerificationResult Result(FodRecord fod, VerificationStatus status, string? actual, string? url, string? detail) =>
        new(fod, status, fod.HashSri, actual, VerificationMethod.Native, url, detail, time.GetUtcNow());

    private static bool IsHttp(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    /// <summary>One URL with retries of transient failures.</summary>
    private async Task<Attempt> FetchAsync(string url, HashAlgorithmKind algorithm, CancellationToken cancellationToken)
    {
        for (var retry = 0; ; retry++)
        {
            var attempt = await AttemptAsync(url, algorithm, cancellationToken).ConfigureAwait(false);
            if (attempt.Hash is not null || !attempt.Transient || retry >= options.MaxRetries)
            {
                return retry > 0 && attempt.Hash is null ? attempt with { Error = $"{attempt.Error} (after {retry + 1} attempts)" } : attempt;
            }
            var wait = attempt.RetryAfter ?? RetryBackoff.Delay(retry, options.BaseDelayOrDefault, options.MaxDelayOrDefault, random());
            if (wait > options.MaxRetryAfterOrDefault)
            {
                return attempt with { Error = $"{attempt.Error}; the server asks to retry after {wait.TotalSeconds:F0} s, longer than the limit" };
            }
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<Attempt> AttemptAsync(string url, HashAlgorithmKind algorithm, CancellationToken cancellationToken)
    {
        var host = new Uri(url).Authority;
        // The host's slot first: waiting for a busy host must not hold one of the global slots.
        using var hostLease = options.PerHost > 0
            ? await hosts.GetOrAdd(host, _ => new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = options.PerHost, QueueLimit = int.MaxValue }))
                .AcquireAsync(1, cancellationToken).ConfigureAwait(false)
            : null;
        using var globalLease = await global.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.AttemptTimeoutOrDefault);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var code = (int)response.StatusCode;
            if (code is >= 300 and < 400)
            {
                return Attempt.Failed($"HTTP {code}: more than {options.MaxRedirects} redirects, or a redirect that cannot be followed", transient: false);
            }
            if (!response.IsSuccessStatusCode)
            {
                var transient = code >= 500 || code is 429 or 408;
                return Attempt.Failed(string.Create(CultureInfo.InvariantCulture, $"HTTP {code} {response.ReasonPhrase}"), transient,
                    RetryBackoff.RetryAfter(response.Headers.RetryAfter, time.GetUtcNow()));
            }
            if (response.Content.Headers.ContentLength is { } declared && declared > options.MaxBodyBytes)
            {
                return Attempt.Failed(string.Create(CultureInfo.InvariantCulture, $"the body has {declared} bytes, more than the limit of {options.MaxBodyBytes}"), transient: false);
            }
            var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return await HashAsync(stream, algorithm, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Attempt.Failed($"timed out after {options.AttemptTimeoutOrDefault.TotalSeconds:F0} s", transient: true);
        }
        catch (HttpRequestException e)
        {
            return Attempt.Failed(Describe(e), IsTransient(e));
        }
        catch (IOException e)
        {
            // The body broke off midway: a reset connection is worth another try.
            return Attempt.Failed("the connection broke: " + e.Message, transient: true);
        }
    }

    private async Task<Attempt> HashAsync(Stream stream, HashAlgorithmKind algorithm, CancellationToken cancellationToken)
    {
        using var hasher = HashAlgorithms.CreateIncremental(algorithm);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            long total = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
                if (total > options.MaxBodyBytes)
                {
                    return Attempt.Failed(string.Create(CultureInfo.InvariantCulture, $"the body is longer than the limit of {options.MaxBodyBytes} bytes"), transient: false);
                }
                hasher.AppendData(buffer, 0, read);
            }
            return new Attempt(new NixHash(algorithm, hasher.GetHashAndReset()), null, false, null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool IsTransient(HttpRequestException e) =>
        e.HttpRequestError is HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse
        || (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.TimedOut })
        || (e.InnerException is IOException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionReset } });

    private static string Describe(HttpRequestException e) =>
        e.InnerException is { } inner && !string.IsNullOrEmpty(inner.Message) && !e.Message.Contains(inner.Message, StringComparison.Ordinal)
            ? $"{e.Message} ({inner.Message})"
            : e.Message;

    /// <summary>One request's outcome: the content's hash, or why there is none and whether to try again.</summary>
    private sealed record Attempt(NixHash? Hash, string? Error, bool Transient, TimeSpan? RetryAfter)
    {
        public static Attempt Failed(string error, bool transient, TimeSpan? retryAfter = null) => new(null, error, transient, retryAfter);
    }
}
