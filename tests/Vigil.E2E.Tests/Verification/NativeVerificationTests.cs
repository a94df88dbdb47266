using System.Globalization;
using Vigil.E2E.Tests.Attacks;
using static Vigil.E2E.Tests.Attacks.AttackLab;

namespace Vigil.E2E.Tests.Verification;

/// <summary>
/// <c>vigil verify</c>'s native method against a real HTTP server on 127.0.0.1: the stale-hash
/// attack is caught by fetching, honest FODs pass and become trusted, every server fault ends in
/// the right status without hanging or costing the run's other results, and the per-host limit holds.
/// </summary>
public sealed class NativeVerificationTests
{
    private const string NoNix = "nix is not installed";

    private static readonly byte[] Good1 = Text("honest 1.0: the real release\n");
    private static readonly byte[] Good2 = Text("honest 2.0: the real release\n");
    private static readonly byte[] Other = Text("another package\n");

    /// <summary>
    /// The head of the stale-hash attack bumps the URL and keeps 1.0's hash: Nix would reuse the old
    /// output, but fetching the new URL shows what it serves. The base verifies ok (exit 0); the
    /// head's bump is a hash-mismatch naming both hashes (exit 1), and the honest pair trusted by
    /// the first run is not fetched again.
    /// </summary>
    [Fact]
    public async Task The_stale_hash_bump_is_a_hash_mismatch_naming_both_hashes_and_an_honest_fod_is_ok()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        await using var lab = new AttackLab();
        lab.Server.Serve("/honest-1.0.tar", Good1);
        lab.Server.Serve("/honest-2.0.tar", Good2);
        lab.Server.Serve("/other-1.0.tar", Other);
        var store = lab.NewStore("store");
        var db = lab.NewDb();
        var baseFile = lab.Write("base.nix", Set(("honest", "honest-1.0.tar", Sri(Good1)), ("other", "other-1.0.tar", Sri(Other))));
        var headFile = lab.Write("head.nix", Set(("honest", "honest-2.0.tar", Sri(Good1)), ("other", "other-1.0.tar", Sri(Other))));
        await VerifyCli.ScanAsync(store, db, baseFile, "base");
        await VerifyCli.ScanAsync(store, db, headFile, "head");

        var baseRun = await VerifyCli.VerifyAsync(db, "--revision", "base");
        Assert.True(baseRun.ExitCode == 0, baseRun.Explain());
        Assert.Equal(2, baseRun.Results.Count);
        var ok = baseRun.Expect("honest-1.0.tar", "ok");
        Assert.Equal(("native", Sri(Good1), Sri(Good1), lab.Server.Url("/honest-1.0.tar")), (ok.Method, ok.Expected, ok.Actual, ok.Url));

        var headRun = await VerifyCli.VerifyAsync(db, "--revision", "head");
        Assert.True(headRun.ExitCode == 1, headRun.Explain());
        var bump = Assert.Single(headRun.Results);
        Assert.Equal(("hash-mismatch", "native", Sri(Good1), Sri(Good2), lab.Server.Url("/honest-2.0.tar")), (bump.Status, bump.Method, bump.Expected, bump.Actual, bump.Url));
        Assert.Contains(Sri(Good1), bump.Detail, StringComparison.Ordinal);
        Assert.Contains(Sri(Good2), bump.Detail, StringComparison.Ordinal);
        // The trusted pairs of the base were not fetched again.
        Assert.Equal(1, lab.Server.CountOf("/honest-1.0.tar"));
        Assert.Equal(1, lab.Server.CountOf("/other-1.0.tar"));

        // A mismatch is not trusted: the next run fetches the bump again and fails again.
        var again = await VerifyCli.VerifyAsync(db, "--revision", "head");
        Assert.True(again.ExitCode == 1, again.Explain());
        Assert.Equal("hash-mismatch", Assert.Single(again.Results).Status);
        Assert.Equal(2, lab.Server.CountOf("/honest-2.0.tar"));

        // --changed-since takes only what the head changed,: the bump, not the unchanged FOD.
        var changed = await VerifyCli.VerifyAsync(db, "--revision", "head", "--changed-since", "base");
        Assert.True(changed.ExitCode == 1, changed.Explain());
        Assert.Equal(bump.DrvPath, Assert.Single(changed.Results).DrvPath);
        Assert.Equal(1, lab.Server.CountOf("/other-1.0.tar"));
    }

    /// <summary>
    /// Every fault in one run (small timeout, one retry, a 1 MiB body limit): each FOD gets its
    /// status, retries happen for transient faults only, the run ends in seconds, and the honest FOD
    /// beside them is ok.
    /// </summary>
    [Fact]
    public async Task Each_server_fault_gives_its_status_without_hanging_and_the_rest_of_the_run_is_verified()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        await using var lab = new AttackLab();
        var server = lab.Server;
        var good = Text("the file a recovered server finally serves\n");
        server.Serve("/honest.txt", Good1);
        server.Respond("/flaky.txt", x => x.Attempt == 0 ? x.ReplyAsync("500 Internal Server Error", Text("boom\n")) : x.ReplyAsync("200 OK", good));
        server.Respond("/throttled.txt", x => x.Attempt == 0
            ? x.ReplyAsync("429 Too Many Requests", Text("slow down\n"), "Retry-After: 2\r\n")
            : x.ReplyAsync("200 OK", good));
        server.Respond("/drip.txt", async x =>
        {
            await x.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n");
            while (true)
            {
                await x.SendAsync("x");
                await Task.Delay(200, x.Stopping);
            }
        });
        server.Respond("/endless.txt", async x =>
        {
            await x.SendAsync("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
            var chunk = new byte[64 * 1024];
            while (true)
            {
                await x.Stream.WriteAsync(chunk, x.Stopping);
            }
        });
        server.Respond("/loop.txt", x => x.ReplyAsync("302 Found", [], "Location: /loop.txt\r\n"));
        server.Respond("/reset.txt", x =>
        {
            x.Reset();
            return Task.CompletedTask;
        });
        server.Respond("/reset-once.txt", async x =>
        {
            if (x.Attempt > 0)
            {
                await x.ReplyAsync("200 OK", good);
                return;
            }
            await x.SendAsync(string.Create(CultureInfo.InvariantCulture, $"HTTP/1.1 200 OK\r\nContent-Length: {good.Length}\r\nConnection: close\r\n\r\n"));
            await x.Stream.WriteAsync(good.AsMemory(0, 5), x.Stopping);
            x.Reset();
        });
        var names = new[] { "honest.txt", "missing.txt", "flaky.txt", "throttled.txt", "drip.txt", "endless.txt", "loop.txt", "reset.txt", "reset-once.txt" };
        var file = lab.Write("faults.nix", Set([.. names.Select(n => (n.Split('.')[0].Replace("-", "", StringComparison.Ordinal), n, n == "honest.txt" ? Sri(Good1) : Sri(good)))]));
        var store = lab.NewStore("store");
        var db = lab.NewDb();
        await VerifyCli.ScanAsync(store, db, file, "faults");

        var run = await VerifyCli.VerifyAsync(db, "--timeout", "2", "--retries", "1", "--max-body", "1048576", "--per-host", "0");

        Assert.True(run.ExitCode == 1, run.Explain());
        Assert.Equal(names.Length, run.Results.Count);
        run.Expect("honest.txt", "ok");
        run.Expect("missing.txt", "unreachable", "404");
        run.Expect("flaky.txt", "ok");
        run.Expect("throttled.txt", "ok");
        run.Expect("drip.txt", "unreachable", "timed out");
        run.Expect("endless.txt", "unreachable", "limit");
        run.Expect("loop.txt", "unreachable", "redirect");
        run.Expect("reset.txt", "unreachable");
        run.Expect("reset-once.txt", "ok");
        // Retried: 5xx, 429, timeouts and resets, once each (--retries 1); not retried: 404, size limit, redirect loop.
        Assert.Equal(
            [("honest.txt", 1), ("missing.txt", 1), ("flaky.txt", 2), ("throttled.txt", 2), ("drip.txt", 2), ("endless.txt", 1), ("reset.txt", 2), ("reset-once.txt", 2)],
            names.Where(n => n != "loop.txt").Select(n => (n, server.CountOf("/" + n))));
        Assert.InRange(server.CountOf("/loop.txt"), 2, 11);
        var throttled = server.Log.Where(e => e.Path == "/throttled.txt").Select(e => e.At).ToList();
        Assert.True(throttled[1] - throttled[0] >= TimeSpan.FromSeconds(1.9), $"Retry-After: 2 was not honoured: the retry came after {(throttled[1] - throttled[0]).TotalSeconds:F2} s");
        // Two drip attempts of 2 s and a backoff of at most 1.5 s bound the run; no fault may hang it.
        Assert.True(run.Elapsed < TimeSpan.FromSeconds(25), run.Explain());
    }

    /// <summary>A server counting requests in flight sees at most --per-host of them, though --concurrency allows more.</summary>
    [Fact]
    public async Task The_per_host_limit_holds_on_the_server()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        await using var lab = new AttackLab();
        var fods = Enumerable.Range(0, 30).Select(i => (string.Create(CultureInfo.InvariantCulture, $"f{i}"), Text($"file {i}\n"))).ToList();
        foreach (var (name, body) in fods)
        {
            lab.Server.Serve($"/{name}.txt", body);
        }
        lab.Server.Delay = TimeSpan.FromMilliseconds(100);
        var file = lab.Write("many.nix", Set([.. fods.Select(f => (f.Item1, f.Item1 + ".txt", Sri(f.Item2)))]));
        var store = lab.NewStore("store");
        var db = lab.NewDb();
        await VerifyCli.ScanAsync(store, db, file, "many");

        var run = await VerifyCli.VerifyAsync(db, "--per-host", "2", "--concurrency", "8");

        Assert.True(run.ExitCode == 0, run.Explain());
        Assert.Equal(30, run.Results.Count);
        Assert.All(run.Results, r => Assert.Equal("ok", r.Status));
        Assert.Equal(30, lab.Server.Requests.Count);
        Assert.True(lab.Server.MaxInFlight == 2, $"the server saw up to {lab.Server.MaxInFlight} requests at once; --per-host 2 allows 2 (and 30 slow files should reach 2)");
    }

    /// <summary>An expression of <c>fetchurl</c> FODs: (attribute, file on the server, hash).</summary>
    internal static string Set(params (string Attr, string File, string Hash)[] fods) =>
        "let inherit (import ./lib.nix) fetchurl; in\n{\n"
        + string.Concat(fods.Select(f => $"  {f.Attr} = fetchurl {{ url = \"@URL@/{f.File}\"; hash = \"{f.Hash}\"; }};\n"))
        + "}\n";
}
