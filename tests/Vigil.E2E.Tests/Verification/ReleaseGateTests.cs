using System.Text.Json;
using Vigil.E2E.Tests.Attacks;
using Vigil.E2E.Tests.Support;
using Vigil.Testing;
using static Vigil.E2E.Tests.Attacks.AttackLab;
using static Vigil.E2E.Tests.Verification.NativeVerificationTests;

namespace Vigil.E2E.Tests.Verification;

/// <summary>
/// <c>vigil gate</c> and <c>vigil liveness</c> as a release manager and a cron job run them, after
/// real scans and real fetches from a server on 127.0.0.1: the stale-hash attack blocks an enforced
/// release, an honest bump passes, and a source that vanishes upstream is reported broken (since
/// when, last ok when) until it comes back.
/// </summary>
public sealed class ReleaseGateTests(PostgresFixture postgres)
{
    private const string NoNix = "nix is not installed";

    private static readonly byte[] Good1 = Text("honest 1.0: the real release\n");
    private static readonly byte[] Good2 = Text("honest 2.0: the real release\n");
    private static readonly byte[] Other = Text("another package\n");
    private static readonly byte[] Fresh = Text("a package new in this release\n");

    private sealed record Gate(string Release, string Since, bool Passed, bool Enforced, Dictionary<string, int> Counts, List<Source> Fods);

    private sealed record Source(string DrvPath, string Name, List<string> Attrs, string Status, string Expected, string? Actual, string? Url,
        DateTimeOffset? LastCheckedAt, DateTimeOffset? LastOkAt, DateTimeOffset? BrokenSince, bool? Due);

    /// <summary>On both databases: verification results, trust and liveness are one contract.</summary>
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task An_enforced_gate_blocks_the_stale_hash_bump_and_passes_the_honest_one(string dialect)
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        Assert.SkipWhen(dialect == "postgres" && PostgresFixture.SkipReason is not null, PostgresFixture.SkipReason ?? "");
        await using var lab = new AttackLab();
        lab.Server.Serve("/honest-1.0.tar", Good1);
        lab.Server.Serve("/honest-2.0.tar", Good2);
        lab.Server.Serve("/other-1.0.tar", Other);
        lab.Server.Serve("/fresh-1.0.tar", Fresh);
        var store = lab.NewStore("store");
        var db = dialect == "postgres" ? await postgres.CreateDatabaseAsync() : lab.NewDb();
        var release1 = Set(("honest", "honest-1.0.tar", Sri(Good1)), ("other", "other-1.0.tar", Sri(Other)));
        await VerifyCli.ScanAsync(store, db, lab.Write("r1.nix", release1), "r1");
        await VerifyCli.ScanAsync(store, db, lab.Write("attack.nix",
            Set(("honest", "honest-2.0.tar", Sri(Good1)), ("other", "other-1.0.tar", Sri(Other)), ("fresh", "fresh-1.0.tar", Sri(Fresh)))), "attack");
        await VerifyCli.ScanAsync(store, db, lab.Write("honest.nix",
            Set(("honest", "honest-2.0.tar", Sri(Good2)), ("other", "other-1.0.tar", Sri(Other)))), "honest");

        // Nothing verified yet: both changed FODs are unverified; only --enforce makes that fatal.
        var (code, unverified) = await GateAsync(db, "attack", "r1", "--enforce");
        Assert.Equal(1, code);
        Assert.Equal((2, 2, false), (unverified.Fods.Count, unverified.Counts["unverified"], unverified.Passed));
        var notEnforced = await CliRunner.RunAsync("gate", "--db", db, "--release", "attack", "--since", "r1");
        Assert.True(notEnforced.ExitCode == 0, notEnforced.Stdout + notEnforced.Stderr);
        Assert.Contains("would fail (not enforced), 2 of 2 changed FODs not verified ok", notEnforced.StdoutText, StringComparison.Ordinal);
        Assert.Contains("vigil verify --revision attack --changed-since r1", notEnforced.StdoutText, StringComparison.Ordinal);

        var verify = await VerifyCli.VerifyAsync(db, "--revision", "attack", "--changed-since", "r1");
        Assert.True(verify.ExitCode == 1, verify.Explain());
        var (blocked, report) = await GateAsync(db, "attack", "r1", "--enforce");
        Assert.Equal(1, blocked);
        Assert.Equal((1, 1, 0), (report.Counts["verified"], report.Counts["hash-mismatch"], report.Counts["unverified"]));
        var bump = Assert.Single(report.Fods, f => f.Status == "hash-mismatch");
        Assert.Equal((Sri(Good1), Sri(Good2), lab.Server.Url("/honest-2.0.tar")), (bump.Expected, bump.Actual, bump.Url));
        Assert.Equal(["honest"], bump.Attrs);
        var text = await CliRunner.RunAsync("gate", "--db", db, "--release", "attack", "--since", "r1", "--enforce");
        Assert.Equal(1, text.ExitCode);
        Assert.Contains($"hash-mismatch\thonest-2.0.tar\thonest\t{bump.DrvPath}\texpected {Sri(Good1)}, got {Sri(Good2)} from {lab.Server.Url("/honest-2.0.tar")}", text.StdoutText, StringComparison.Ordinal);
        Assert.Contains("gate: FAILED, 1 of 2 changed FODs not verified ok", text.StdoutText, StringComparison.Ordinal);

        var honestVerify = await VerifyCli.VerifyAsync(db, "--revision", "honest", "--changed-since", "r1");
        Assert.True(honestVerify.ExitCode == 0, honestVerify.Explain());
        var (passed, honest) = await GateAsync(db, "honest", "r1", "--enforce");
        Assert.Equal(0, passed);
        Assert.True(honest.Passed && honest.Enforced);
        Assert.Equal("verified", Assert.Single(honest.Fods).Status);
        // The unchanged FOD was neither fetched nor judged: the gate is about what the release changes.
        Assert.Equal(0, lab.Server.CountOf("/other-1.0.tar"));
    }

    [Fact]
    public async Task A_vanished_source_is_due_then_broken_since_its_first_failure_until_it_comes_back()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        await using var lab = new AttackLab();
        lab.Server.Serve("/honest-1.0.tar", Good1);
        lab.Server.Serve("/other-1.0.tar", Other);
        var store = lab.NewStore("store");
        var db = lab.NewDb();
        await VerifyCli.ScanAsync(store, db, lab.Write("r1.nix", Set(("honest", "honest-1.0.tar", Sri(Good1)), ("other", "other-1.0.tar", Sri(Other)))), "r1");

        var (neverCode, never) = await LivenessAsync(db);
        Assert.Equal(0, neverCode);
        Assert.All(never, s => Assert.Equal(("unchecked", true), (s.Status, s.Due)));
        var first = await VerifyCli.VerifyAsync(db, "--due");
        Assert.True(first.ExitCode == 0 && first.Results.Count == 2, first.Explain());

        // Verified just now: nothing is due at the default interval, so nothing is fetched.
        var none = await VerifyCli.VerifyAsync(db, "--due");
        Assert.True(none.ExitCode == 0 && none.Results.Count == 0, none.Explain());
        Assert.Equal(1, lab.Server.CountOf("/other-1.0.tar"));

        lab.Server.Withdraw("/other-1.0.tar");
        await Task.Delay(TimeSpan.FromSeconds(1.2), TestContext.Current.CancellationToken);
        // 1e-5 days is 0.86 s: both sources are due again, trusted or not.
        var recheck = await VerifyCli.VerifyAsync(db, "--due", "--interval", "0.00001", "--retries", "0");
        Assert.True(recheck.ExitCode == 1 && recheck.Results.Count == 2, recheck.Explain());
        recheck.Expect("other-1.0.tar", "unreachable", "404");

        var (brokenCode, broken) = await LivenessAsync(db, "--broken");
        Assert.Equal(1, brokenCode);
        var other = Assert.Single(broken);
        Assert.Equal(("unreachable", false), (other.Status, other.Due));
        Assert.NotNull(other.LastOkAt);
        Assert.True(other.BrokenSince > other.LastOkAt, $"broken since {other.BrokenSince}, last ok {other.LastOkAt}");
        var summary = await CliRunner.RunAsync("liveness", "--db", db);
        Assert.Equal(1, summary.ExitCode);
        Assert.Contains("revision r1: 2 FODs: 1 ok, 1 broken, 0 never checked; 0 due for a check", summary.StdoutText, StringComparison.Ordinal);
        Assert.Contains("broken\tother-1.0.tar\tother\tunreachable since", summary.StdoutText, StringComparison.Ordinal);

        // A second failure keeps the first failure's time; a success ends the outage.
        await Task.Delay(TimeSpan.FromSeconds(1.2), TestContext.Current.CancellationToken);
        await VerifyCli.VerifyAsync(db, "--due", "--interval", "0.00001", "--retries", "0");
        Assert.Equal(other.BrokenSince, Assert.Single((await LivenessAsync(db, "--broken")).Sources).BrokenSince);
        lab.Server.Serve("/other-1.0.tar", Other);
        await Task.Delay(TimeSpan.FromSeconds(1.2), TestContext.Current.CancellationToken);
        var back = await VerifyCli.VerifyAsync(db, "--due", "--interval", "0.00001");
        Assert.True(back.ExitCode == 0, back.Explain());
        var (healedCode, healed) = await LivenessAsync(db, "--broken");
        Assert.Equal((0, 0), (healedCode, healed.Count));
    }

    private static async Task<(int Code, Gate Report)> GateAsync(string db, string release, string since, params string[] extra)
    {
        var run = await CliRunner.RunAsync(["gate", "--db", db, "--release", release, "--since", since, .. extra, "--json"]);
        Assert.True(run.ExitCode is 0 or 1, run.StdoutText + run.Stderr);
        return (run.ExitCode, JsonSerializer.Deserialize<Gate>(run.Stdout, JsonSerializerOptions.Web)!);
    }

    private static async Task<(int Code, List<Source> Sources)> LivenessAsync(string db, params string[] extra)
    {
        var run = await CliRunner.RunAsync(["liveness", "--db", db, .. extra, "--json"]);
        Assert.True(run.ExitCode is 0 or 1, run.StdoutText + run.Stderr);
        return (run.ExitCode, JsonSerializer.Deserialize<List<Source>>(run.Stdout, JsonSerializerOptions.Web)!);
    }
}
