using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Data;
using Vigil.Data.Farm;
using Vigil.Farm.Execution;
using Vigil.Farm.Graph;
using Vigil.Farm.Recording;
using Vigil.Farm.Scheduling;
using Vigil.Farm.Tests.Support;
using Vigil.Testing;

namespace Vigil.Farm.Tests;

/// <summary>
/// The whole loop on a real database: an evaluation is stored, the monitor hears of it (NOTIFY on
/// PostgreSQL, polling on SQLite), the runner walks and schedules, simulated builders report, the
/// batch writer stores every row. No processes.
/// </summary>
public abstract class QueueRunnerTests
{
    protected abstract Task<string> NewDatabaseAsync();

    [Fact]
    public async Task An_evaluation_is_built_and_every_result_is_stored()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = await VigilDatabase.OpenAsync(await NewDatabaseAsync(), ct);
        var jobset = await db.Farm.AddJobsetAsync(new JobsetSpec("p", "j", "default.nix"), ct);
        // A chain of 30 plus a failing branch: n30 depends on n29 … n0; "bad" depends on n10.
        var nodes = Enumerable.Range(0, 30).Select(i => new DrvInfo(Dag.DrvPath(i), "x86_64-linux", [], [Dag.OutPath(i)], i == 0 ? [] : [Dag.DrvPath(i - 1)])).ToList();
        var bad = new DrvInfo("/nix/store/00000000000000000000000000000bad-bad.drv", "x86_64-linux", [], ["/nix/store/00000000000000000000000000000bad-bad"], [Dag.DrvPath(10)]);
        nodes.Add(bad);
        await using var writer = new FarmBatchWriter(db.Farm, TimeProvider.System, NullLogger.Instance, maxBatch: 7);
        await using var runner = new QueueRunner(SchedulerOptions.Default, new InMemoryDrvSource(nodes), FixedOutputOracle.None, new DatabaseFailedPaths(db.Farm),
            writer, TimeProvider.System, new Random(1), NullLogger.Instance);
        using var builder = new SimulatedBuilder(runner.Complete, TimeProvider.System, outcome: a => a.DrvPath == bad.Path ? StepOutcome.BuildFailure : StepOutcome.Succeeded);
        runner.AddMachine(new MachineSpec("sim1", ["x86_64-linux"], [], [], 2), builder);
        runner.AddMachine(new MachineSpec("sim2", ["x86_64-linux"], [], [], 2), builder);
        var monitor = new FarmQueueMonitor(db.Farm, runner, TimeProvider.System, NullLogger.Instance, TimeSpan.FromMilliseconds(100));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var monitoring = monitor.RunAsync(stop.Token);

        var eval = await db.Farm.AddEvaluationAsync(jobset.Id,
            [new NewBuild("chain", Dag.DrvPath(29), "x86_64-linux", []), new NewBuild("bad", bad.Path, "x86_64-linux", [])], ct);
        for (var i = 0; i < 200 && monitor.LastBuildId < eval.BuildIds[1]; i++)
        {
            await Task.Delay(20, ct);
        }
        await runner.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(30), ct);
        await writer.FlushAsync(ct);
        await stop.CancelAsync();
        await monitoring;

        var chain = (await db.Farm.FindBuildAsync(eval.BuildIds[0], ct))!;
        var failed = (await db.Farm.FindBuildAsync(eval.BuildIds[1], ct))!;
        Assert.Equal((true, BuildStatus.Succeeded), (chain.Finished, chain.Status));
        Assert.Equal((true, BuildStatus.Failed), (failed.Finished, failed.Status));
        var steps = (await db.Farm.ListStepsAsync(chain.Id, ct)).Concat(await db.Farm.ListStepsAsync(failed.Id, ct)).ToList();
        Assert.Equal(31, steps.Count);
        Assert.All(steps, s => Assert.Equal(StepPhase.Done, s.Busy));
        Assert.Equal(nodes.Select(n => n.Path).Order(StringComparer.Ordinal), steps.Select(s => s.DrvPath).Order(StringComparer.Ordinal));
        Assert.Equal(BuildStatus.Failed, steps.Single(s => s.DrvPath == bad.Path).Status);
        Assert.Equal([bad.OutputPaths[0]], (await db.Farm.FindFailedPathsAsync(bad.OutputPaths, ct)).Select(f => f.Path));
        Assert.True(writer.Batches > 1);

        // A second evaluation of the same failing job is not built again: the failed path is cached.
        var again = await db.Farm.AddEvaluationAsync(jobset.Id, [new NewBuild("bad", bad.Path, "x86_64-linux", [])], ct);
        runner.Submit((await db.Farm.ListQueuedBuildsAsync(eval.BuildIds[1], 10, ct)).Single());
        await runner.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(30), ct);
        await writer.FlushAsync(ct);
        var cached = (await db.Farm.FindBuildAsync(again.BuildIds[0], ct))!;
        Assert.Equal((BuildStatus.Failed, true), (cached.Status, cached.IsCachedBuild));
        Assert.Equal(BuildStatus.CachedFailure, Assert.Single(await db.Farm.ListStepsAsync(cached.Id, ct)).Status);
    }
}

public sealed class SqliteQueueRunnerTests : QueueRunnerTests, IDisposable
{
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("vigil-farm-runner-");

    protected override Task<string> NewDatabaseAsync() => Task.FromResult(Path.Combine(dir.FullName, "farm.db"));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        dir.Delete(recursive: true);
    }
}

public sealed class PostgresQueueRunnerTests(PostgresFixture postgres) : QueueRunnerTests
{
    protected override Task<string> NewDatabaseAsync() => postgres.CreateDatabaseAsync();
}
