using Vigil.Data;
using Vigil.Data.Farm;
using Vigil.Testing;

namespace Vigil.Farm.Tests;

/// <summary>The farm's tables, the same on both dialects (subclasses give the database).</summary>
public abstract class FarmDatabaseTests
{
    protected abstract Task<string> NewDatabaseAsync();

    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private async Task<(VigilDatabase Db, JobsetRecord Jobset)> NewFarmAsync()
    {
        var db = await VigilDatabase.OpenAsync(await NewDatabaseAsync(), new ManualClock(T0), TestContext.Current.CancellationToken);
        var jobset = await db.Farm.AddJobsetAsync(new JobsetSpec("nixpkgs", "trunk", "release.nix", "pkgs", 250, 7), TestContext.Current.CancellationToken);
        return (db, jobset);
    }

    private static NewBuild Job(int i, int? priority = null) =>
        new($"job{i}", $"/nix/store/{i:D32}-job{i}.drv", "x86_64-linux", [new OutputPath("out", $"/nix/store/{i:D32}-job{i}")], priority);

    [Fact]
    public async Task Jobsets_evaluations_and_queued_builds_round_trip()
    {
        var (db, jobset) = await NewFarmAsync();
        await using var _ = db;
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(jobset, await db.Farm.FindJobsetAsync("nixpkgs", "trunk", ct));
        Assert.Equal([jobset], await db.Farm.ListJobsetsAsync(ct));
        await Assert.ThrowsAsync<VigilDatabaseException>(() => db.Farm.AddJobsetAsync(new JobsetSpec("nixpkgs", "trunk", "x.nix"), ct));

        var eval = await db.Farm.AddEvaluationAsync(jobset.Id, [Job(1), Job(2, priority: 50), Job(3)], ct);
        Assert.Equal(3, eval.BuildIds.Count);
        var queued = await db.Farm.ListQueuedBuildsAsync(0, 10, ct);
        Assert.Equal(eval.BuildIds, queued.Select(b => b.Id));
        Assert.Equal([7, 50, 7], queued.Select(b => b.Priority));
        Assert.All(queued, b => Assert.Equal(250, b.SchedulingShares));
        Assert.Equal([eval.BuildIds[2]], (await db.Farm.ListQueuedBuildsAsync(eval.BuildIds[1], 10, ct)).Select(b => b.Id));
        Assert.Equal([eval.BuildIds[0]], (await db.Farm.ListQueuedBuildsAsync(0, 1, ct)).Select(b => b.Id));
        Assert.Equal([new BuildOutputRecord(eval.BuildIds[1], "out", "/nix/store/00000000000000000000000000000002-job2")], await db.Farm.ListOutputsAsync(eval.BuildIds[1], ct));
        Assert.Equal("job1", (await db.Farm.FindBuildAsync(eval.BuildIds[0], ct))!.Job);
        Assert.Equal(3, (await db.Farm.ListBuildsAsync(eval.Id, ct)).Count);
    }

    [Fact]
    public async Task A_batch_stores_steps_replacing_earlier_forms_finishes_builds_and_records_failed_paths()
    {
        var (db, jobset) = await NewFarmAsync();
        await using var _ = db;
        var ct = TestContext.Current.CancellationToken;
        var eval = await db.Farm.AddEvaluationAsync(jobset.Id, [Job(1), Job(2)], ct);
        var (b1, b2) = (eval.BuildIds[0], eval.BuildIds[1]);
        var start = new BuildStepRecord(b1, 1, "/nix/store/x-dep.drv", "x86_64-linux", "m1", StepPhase.Connecting, null, null, T0, null, 1, null);
        var end = start with { Busy = StepPhase.Done, Status = BuildStatus.Failed, ErrorMsg = "exit 1", StopTime = T0.AddSeconds(3) };
        var propagated = new BuildStepRecord(b2, 1, "/nix/store/x-dep.drv", "x86_64-linux", "", StepPhase.Done, BuildStatus.Failed, null, T0.AddSeconds(3), T0.AddSeconds(3), 1, b1);
        await db.Farm.WriteAsync(new FarmBatch([start, end, propagated],
            [new BuildFinish(b1, BuildStatus.DependencyFailed, false, T0, T0.AddSeconds(3)), new BuildFinish(b2, BuildStatus.DependencyFailed, false, null, T0.AddSeconds(3))],
            [], [new FailedPathRecord("/nix/store/x-dep", "/nix/store/x-dep.drv", BuildStatus.Failed, T0.AddSeconds(3))],
            [new BuildLogRecord(b1, 1, "/nix/store/x-dep.drv", "build-logs/x-/dep.drv.zst", 1234, "zstd")]), ct);

        Assert.Equal([end], await db.Farm.ListStepsAsync(b1, ct));
        Assert.Equal([propagated], await db.Farm.ListStepsAsync(b2, ct));
        var build = (await db.Farm.FindBuildAsync(b1, ct))!;
        Assert.True(build.Finished);
        Assert.Equal(BuildStatus.DependencyFailed, build.Status);
        Assert.Equal(T0, build.StartTime);
        Assert.Empty(await db.Farm.ListQueuedBuildsAsync(0, 10, ct));
        Assert.Equal(["/nix/store/x-dep"], (await db.Farm.FindFailedPathsAsync(["/nix/store/x-dep", "/nix/store/other"], ct)).Select(f => f.Path));
        Assert.Equal(1234, (await db.Farm.FindLogAsync(b1, 1, ct))!.Size);
        Assert.Equal(1, await db.Farm.ClearFailedPathsAsync(["/nix/store/x-dep"], ct));
        Assert.Empty(await db.Farm.FindFailedPathsAsync(["/nix/store/x-dep"], ct));
    }

    [Fact]
    public async Task Busy_rows_left_by_a_stopped_runner_become_aborted()
    {
        var (db, jobset) = await NewFarmAsync();
        await using var _ = db;
        var ct = TestContext.Current.CancellationToken;
        var eval = await db.Farm.AddEvaluationAsync(jobset.Id, [Job(1)], ct);
        await db.Farm.WriteAsync(new FarmBatch([new BuildStepRecord(eval.BuildIds[0], 1, "/nix/store/a.drv", "x86_64-linux", "m", StepPhase.Building, null, null, T0, null, 1, null)], [], [], [], []), ct);
        Assert.Equal(1, await db.Farm.AbortBusyStepsAsync(T0.AddMinutes(1), ct));
        var step = Assert.Single(await db.Farm.ListStepsAsync(eval.BuildIds[0], ct));
        Assert.Equal((StepPhase.Done, BuildStatus.Aborted), (step.Busy, step.Status));
        Assert.Equal(1, Assert.Single(await db.Farm.ListQueuedBuildsAsync(0, 10, ct)).LastStepNr);
    }

    [Fact]
    public async Task Queue_changes_are_announced_to_listeners()
    {
        var (db, jobset) = await NewFarmAsync();
        await using var _ = db;
        var ct = TestContext.Current.CancellationToken;
        await using var listener = await db.Farm.ListenAsync(ct);
        var eval = await db.Farm.AddEvaluationAsync(jobset.Id, [Job(1), Job(2)], ct);
        Assert.True(await db.Farm.CancelBuildAsync(eval.BuildIds[1], T0, ct));
        Assert.False(await db.Farm.CancelBuildAsync(eval.BuildIds[1], T0, ct));
        Assert.True(await db.Farm.BumpBuildAsync(eval.BuildIds[0], 99, ct));
        await db.Farm.SetSchedulingSharesAsync(jobset.Id, 5, ct);
        var received = new List<QueueNotification>();
        for (var i = 0; i < 50 && received.Count < 4; i++)
        {
            received.AddRange(await listener.WaitAsync(TimeSpan.FromMilliseconds(200), ct));
        }
        Assert.Equal(
            [
                new QueueNotification(QueueNotificationKind.BuildsAdded, eval.BuildIds[0], 0),
                new QueueNotification(QueueNotificationKind.BuildCancelled, eval.BuildIds[1], 0),
                new QueueNotification(QueueNotificationKind.BuildBumped, eval.BuildIds[0], 99),
                new QueueNotification(QueueNotificationKind.SharesChanged, jobset.Id, 5),
            ], received);
        Assert.Equal(BuildStatus.Cancelled, (await db.Farm.FindBuildAsync(eval.BuildIds[1], ct))!.Status);
    }

    [Fact]
    public async Task Jobsets_are_due_when_never_checked_or_checked_an_interval_ago()
    {
        var dir = await NewDatabaseAsync();
        var clock = new ManualClock(T0);
        await using var db = await VigilDatabase.OpenAsync(dir, clock, TestContext.Current.CancellationToken);
        var ct = TestContext.Current.CancellationToken;
        var onDemand = await db.Farm.AddJobsetAsync(new JobsetSpec("p", "on-demand", "a.nix"), ct);
        var hourly = await db.Farm.AddJobsetAsync(new JobsetSpec("p", "hourly", "b.nix", CheckInterval: 3600), ct);
        var minutely = await db.Farm.AddJobsetAsync(new JobsetSpec("p", "minutely", "c.nix", CheckInterval: 60), ct);
        Assert.Equal(0, onDemand.CheckInterval);
        Assert.Equal((3600, (DateTimeOffset?)null), ((await db.Farm.FindJobsetAsync("p", "hourly", ct))!.CheckInterval, (await db.Farm.FindJobsetAsync("p", "hourly", ct))!.LastCheckedAt));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => db.Farm.AddJobsetAsync(new JobsetSpec("p", "bad", "x.nix", CheckInterval: -1), ct));

        // Never checked: due at once (interval 0 never is), by id.
        Assert.Equal([hourly.Id, minutely.Id], (await db.Farm.ListDueJobsetsAsync(T0, ct)).Select(j => j.Id));

        // Each kind of check marks the jobset: an evaluation with builds, a failed one, an unchanged one.
        await db.Farm.AddEvaluationAsync(hourly.Id, [Job(1)], "hash-1", "jobset:hourly@1", ct);
        clock.Now += TimeSpan.FromSeconds(10);
        await db.Farm.AddFailedEvaluationAsync(minutely.Id, "syntax error", ct);
        Assert.Equal(T0.AddSeconds(10), (await db.Farm.FindJobsetAsync("p", "minutely", ct))!.LastCheckedAt);
        Assert.Empty(await db.Farm.ListDueJobsetsAsync(T0.AddSeconds(69), ct));
        Assert.Equal([minutely.Id], (await db.Farm.ListDueJobsetsAsync(T0.AddSeconds(70), ct)).Select(j => j.Id));
        clock.Now += TimeSpan.FromSeconds(60);
        await db.Farm.MarkJobsetCheckedAsync(minutely.Id, ct);
        Assert.Empty(await db.Farm.ListDueJobsetsAsync(T0.AddSeconds(129), ct));
        // Longest waiting first: hourly was checked at T0, minutely at T0 + 70 s.
        Assert.Equal([hourly.Id, minutely.Id], (await db.Farm.ListDueJobsetsAsync(T0.AddHours(2), ct)).Select(j => j.Id));

        // The interval can be changed; 0 takes a jobset out of the periodic checks.
        Assert.True(await db.Farm.SetCheckIntervalAsync(hourly.Id, 0, ct));
        Assert.False(await db.Farm.SetCheckIntervalAsync(9999, 5, ct));
        Assert.Equal([minutely.Id], (await db.Farm.ListDueJobsetsAsync(T0.AddHours(2), ct)).Select(j => j.Id));

        var evaluations = await db.Farm.ListEvaluationsAsync(minutely.Id, 10, ct);
        Assert.Equal([new EvaluationSummary(evaluations[0].Id, minutely.Id, T0.AddSeconds(10), 0, "syntax error", null, null)], evaluations);
        var built = Assert.Single(await db.Farm.ListEvaluationsAsync(hourly.Id, 10, ct));
        Assert.Equal((1, "hash-1", "jobset:hourly@1", (string?)null), (built.BuildCount, built.JobsHash, built.Revision, built.Error));
    }

    [Fact]
    public async Task Machines_round_trip()
    {
        var (db, _) = await NewFarmAsync();
        await using var __ = db;
        var ct = TestContext.Current.CancellationToken;
        var m = new MachineRecord("b1", ["x86_64-linux", "i686-linux"], ["kvm", "big-parallel"], ["benchmark"], 8, 1.5, true, T0);
        await db.Farm.UpsertMachineAsync(m, ct);
        await db.Farm.UpsertMachineAsync(m with { MaxJobs = 4 }, ct);
        var stored = Assert.Single(await db.Farm.ListMachinesAsync(ct));
        Assert.Equal((m.Name, 4, 1.5, T0), (stored.Name, stored.MaxJobs, stored.SpeedFactor, stored.LastSeenAt!.Value));
        Assert.Equal(m.Systems, stored.Systems);
        Assert.Equal(m.MandatoryFeatures, stored.MandatoryFeatures);
    }
}

public sealed class SqliteFarmDatabaseTests : FarmDatabaseTests, IDisposable
{
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("vigil-farm-db-");
    private int n;

    protected override Task<string> NewDatabaseAsync() => Task.FromResult(Path.Combine(dir.FullName, $"farm{Interlocked.Increment(ref n)}.db"));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        dir.Delete(recursive: true);
    }
}

public sealed class PostgresFarmDatabaseTests(PostgresFixture postgres) : FarmDatabaseTests
{
    protected override Task<string> NewDatabaseAsync() => postgres.CreateDatabaseAsync();
}
