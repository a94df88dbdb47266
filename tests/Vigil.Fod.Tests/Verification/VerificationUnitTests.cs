using System.Net;
using Vigil.Fod.Verification;
using Vigil.Nix.Fetchers;
using Vigil.Nix.Hashing;
using Vigil.Store.Realisation;

namespace Vigil.Fod.Tests.Verification;

public sealed class VerificationUnitTests
{
    private static readonly byte[] Good = "good\n"u8.ToArray();

    private static FodRecord Flat(string hashSri, params string[] urls) => new(
        "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-x.drv", "/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-x", "x",
        HashAlgorithmKind.Sha256, "flat", hashSri, hashSri, FetcherKind.Fetchurl, urls, null, "{}", "r");

    private static string Sri(byte[] bytes) => NixHash.Compute(HashAlgorithmKind.Sha256, bytes).ToSri();

    [Fact]
    public void Nix_hash_mismatch_text_is_parsed_with_colours_and_any_indentation()
    {
        var stderr = "checking outputs of '/nix/store/z71-x.drv'...\n\u001b[31;1merror:\u001b[0m hash mismatch in fixed-output derivation '\u001b[35;1m/nix/store/z71-x.drv\u001b[0m':\n         specified: sha256-0CZOrXNrVIlEitNbuuZy2tNp6vV2vMTtvFL0woNKWak=\n            got:    sha256-VIawmKbU13tfCIoiTmAXuhFCqQsDfeTP0QOp6HVV8bQ=";
        var outcome = FodRealiser.Classify(102, stderr);
        Assert.Equal(RealiseOutcomeKind.HashMismatch, outcome.Kind);
        Assert.Equal("sha256-0CZOrXNrVIlEitNbuuZy2tNp6vV2vMTtvFL0woNKWak=", outcome.Specified);
        Assert.Equal("sha256-VIawmKbU13tfCIoiTmAXuhFCqQsDfeTP0QOp6HVV8bQ=", outcome.Got);

        Assert.Equal(RealiseOutcomeKind.DownloadFailed, FodRealiser.Classify(1, "error: unable to download 'http://127.0.0.1:1/x': HTTP error 404").Kind);
        Assert.Equal(RealiseOutcomeKind.Failed, FodRealiser.Classify(1, "error: builder for '/nix/store/x.drv' failed with exit code 1").Kind);
        Assert.Equal(RealiseOutcomeKind.Built, FodRealiser.Classify(0, "").Kind);
    }

    [Fact]
    public void Backoff_doubles_is_capped_and_jittered()
    {
        var b = TimeSpan.FromSeconds(1);
        var max = TimeSpan.FromSeconds(10);
        Assert.Equal(TimeSpan.FromSeconds(0.5), RetryBackoff.Delay(0, b, max, 0));
        Assert.Equal(TimeSpan.FromSeconds(4), RetryBackoff.Delay(2, b, max, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(15), RetryBackoff.Delay(20, b, max, 1.0));
    }

    [Fact]
    public async Task A_500_is_retried_after_a_backoff_on_the_injected_clock_and_then_hashes_ok()
    {
        var clock = new ImmediateClock();
        using var handler = new ScriptedHandler(HttpStatusCode.InternalServerError, HttpStatusCode.OK);
        using var verifier = new NativeFodVerifier(new NativeFetchOptions(MaxRetries: 3), clock, handler, () => 0.5);
        var result = await verifier.VerifyAsync(Flat(Sri(Good), "http://127.0.0.1:9/a"), TestContext.Current.CancellationToken);
        Assert.Equal(VerificationStatus.Ok, result.Status);
        Assert.Equal(2, handler.Calls);
        Assert.Equal([TimeSpan.FromSeconds(1)], clock.Delays);
    }

    [Fact]
    public async Task A_429_waits_what_Retry_After_asks_and_a_404_is_not_retried()
    {
        var clock = new ImmediateClock();
        using var handler = new ScriptedHandler((HttpStatusCode)429, HttpStatusCode.OK);
        using var verifier = new NativeFodVerifier(new NativeFetchOptions(), clock, handler, () => 0.5);
        Assert.Equal(VerificationStatus.Ok, (await verifier.VerifyAsync(Flat(Sri(Good), "http://h/a"), TestContext.Current.CancellationToken)).Status);
        Assert.Equal([TimeSpan.FromSeconds(7)], clock.Delays);

        using var missing = new ScriptedHandler(HttpStatusCode.NotFound, HttpStatusCode.OK);
        using var second = new NativeFodVerifier(new NativeFetchOptions(), new ImmediateClock(), missing);
        var result = await second.VerifyAsync(Flat(Sri(Good), "http://h/a"), TestContext.Current.CancellationToken);
        Assert.Equal(VerificationStatus.Unreachable, result.Status);
        Assert.Contains("HTTP 404", result.Detail, StringComparison.Ordinal);
        Assert.Equal(1, missing.Calls);
    }

    [Fact]
    public async Task Other_content_is_a_mismatch_naming_both_hashes_and_non_http_urls_are_skipped()
    {
        using var handler = new ScriptedHandler(HttpStatusCode.OK);
        using var verifier = new NativeFodVerifier(null, new ImmediateClock(), handler);
        var expected = Sri("other\n"u8.ToArray());
        var result = await verifier.VerifyAsync(Flat(expected, "ftp://h/a", "http://h/b"), TestContext.Current.CancellationToken);
        Assert.Equal(VerificationStatus.HashMismatch, result.Status);
        Assert.Equal(expected, result.Expected);
        Assert.Equal(Sri(Good), result.Actual);
        Assert.Equal("http://h/b", result.Url);
        Assert.Equal(VerificationStatus.Skipped, (await verifier.VerifyAsync(Flat(expected, "ftp://h/a"), TestContext.Current.CancellationToken)).Status);
    }

    /// <summary>Answers each request with the next scripted status (the last repeats); 429s ask for 7 s.</summary>
    private sealed class ScriptedHandler(params HttpStatusCode[] statuses) : HttpMessageHandler
    {
        private int calls;

        public int Calls => calls;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref calls) - 1;
            var status = statuses[Math.Min(n, statuses.Length - 1)];
            var response = new HttpResponseMessage(status) { Content = new ByteArrayContent(status == HttpStatusCode.OK ? Good : []) };
            if ((int)status == 429)
            {
                response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
            }
            return Task.FromResult(response);
        }
    }

    /// <summary>A clock whose timers fire at once and record what they were asked to wait: backoff without sleeping.</summary>
    private sealed class ImmediateClock : TimeProvider
    {
        private readonly List<TimeSpan> delays = [];

        public IReadOnlyList<TimeSpan> Delays { get { lock (delays) { return [.. delays]; } } }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                lock (delays)
                {
                    delays.Add(dueTime);
                }
            }
            return System.CreateTimer(callback, state, dueTime == Timeout.InfiniteTimeSpan ? dueTime : TimeSpan.Zero, period);
        }
    }
}
