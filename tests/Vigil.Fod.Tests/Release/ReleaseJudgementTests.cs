using CsCheck;
using Vigil.Data;
using Vigil.Fod.Release;
using Vigil.Testing;

namespace Vigil.Fod.Tests.Release;

/// <summary>The release gate's and the liveness schedule's decisions, on synthetic FODs and liveness rows.</summary>
public sealed class ReleaseJudgementTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 0, 0, 0, TimeSpan.Zero);

    private static FodLiveness Latest(StoredFod f, string status, DateTimeOffset at, DateTimeOffset? lastOk = null) =>
        new(f.Fod.RecipeHash, f.Fod.HashSri, f.Fod.HashMode, f.Fod.DrvPath, status, at, status == "ok" ? at : lastOk, status == "ok" ? null : at, null, null, null);

    [Fact]
    public void The_latest_verification_decides_each_changed_fod_and_only_all_verified_passes()
    {
        var ok = Fods.Make("a", "a-1.tar", "a");
        var mismatch = Fods.Make("b", "b-1.tar", "b");
        var gone = Fods.Make("c", "c-1.tar", "c");
        var failed = Fods.Make("d", "d-1.tar", "d");
        var never = Fods.Make("e", "e-1.tar", "e");
        var sameRecipeOtherHash = Fods.Make("f", "f-1.tar", "f-new", "http://example.org/f-1.tar");
        var trustedOtherHash = Fods.Make("f", "f-1.tar", "f-old", "http://example.org/f-1.tar");
        var liveness = new[]
        {
            Latest(ok, "ok", T0),
            Latest(mismatch, "hash-mismatch", T0, lastOk: T0.AddDays(-1)),
            Latest(gone, "unreachable", T0),
            Latest(failed, "build-failed", T0),
            Latest(trustedOtherHash, "ok", T0),
        };

        var report = ReleaseGate.Judge("r2", "r1", [never, failed, gone, mismatch, ok, sameRecipeOtherHash], liveness);

        Assert.False(report.Passed);
        Assert.Equal(
            [(ok, GateOutcome.Verified), (mismatch, GateOutcome.HashMismatch), (gone, GateOutcome.Unreachable), (failed, GateOutcome.BuildFailed)],
            report.Entries.Take(4).Select(e => (e.Fod, e.Outcome)));
        // Trust is per (recipe, hash, mode): the same recipe verified with another hash says nothing of this one.
        Assert.Equal([GateOutcome.Unverified, GateOutcome.Unverified], report.Entries.Skip(4).Select(e => e.Outcome));
        Assert.All(report.Entries.Skip(4), e => Assert.Null(e.Latest));
        Assert.Equal([1, 1, 1, 1, 2], Enum.GetValues<GateOutcome>().Select(report.Count));
        Assert.True(ReleaseGate.Judge("r2", "r1", [ok], liveness).Passed);
        Assert.True(ReleaseGate.Judge("r2", "r1", [], liveness).Passed);
    }

    [Fact]
    public void A_release_passes_exactly_when_every_changed_fod_was_last_verified_ok()
    {
        var statuses = Gen.Int[0, 5].Select(i => new[] { "ok", "hash-mismatch", "unreachable", "build-failed", "skipped-by-a-newer-vigil", "none" }[i]);
        Gen.Select(statuses.Array[0, 12], Gen.Int[0, 1000]).Sample((chosen, seed) =>
        {
            var fods = chosen.Select((_, i) => Fods.Make("p" + i, $"p{i}-{seed}.tar", $"{seed}/{i}")).ToList();
            var liveness = fods.Zip(chosen).Where(p => p.Second != "none").Select(p => Latest(p.First, p.Second, T0)).ToList();
            var report = ReleaseGate.Judge("r", "r0", fods, liveness);
            Assert.Equal(chosen.All(s => s == "ok"), report.Passed);
            Assert.Equal(fods.Count, report.Entries.Count);
            Assert.Equal(chosen.Count(s => s is "none" or "skipped-by-a-newer-vigil"), report.Count(GateOutcome.Unverified));
        });
    }

    [Fact]
    public void Sources_are_due_when_never_checked_or_last_checked_an_interval_ago_whatever_the_outcome()
    {
        var clock = new ManualClock(T0);
        var schedule = new LivenessSchedule(TimeSpan.FromDays(30), clock);
        var fresh = Fods.Make("a", "a.tar", "a");
        var stale = Fods.Make("b", "b.tar", "b");
        var brokenFresh = Fods.Make("c", "c.tar", "c");
        var brokenStale = Fods.Make("d", "d.tar", "d");
        var never = Fods.Make("e", "e.tar", "e");
        FodLiveness[] liveness =
        [
            Latest(fresh, "ok", T0.AddDays(-29.9)),
            Latest(stale, "ok", T0.AddDays(-30)),
            Latest(brokenFresh, "unreachable", T0.AddDays(-1), lastOk: T0.AddDays(-40)),
            Latest(brokenStale, "hash-mismatch", T0.AddDays(-31)),
        ];

        var assessed = schedule.Assess([fresh, stale, brokenFresh, brokenStale, never], liveness);

        Assert.Equal(
            [(SourceState.Ok, false), (SourceState.Ok, true), (SourceState.Broken, false), (SourceState.Broken, true), (SourceState.Unchecked, true)],
            assessed.Select(s => (s.State, s.Due)));
        clock.Now = T0.AddDays(0.2);
        Assert.True(schedule.Assess([fresh], liveness)[0].Due);
        Assert.Throws<ArgumentOutOfRangeException>(() => new LivenessSchedule(TimeSpan.Zero, clock));
    }
}
