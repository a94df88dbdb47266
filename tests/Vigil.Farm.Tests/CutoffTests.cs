using CsCheck;
using Vigil.Data.Farm;
using Vigil.Farm.Graph;
using Vigil.Farm.Scheduling;
using Vigil.Farm.Tests.Support;

namespace Vigil.Farm.Tests;

/// <summary>From builds to steps: the cutoff at existing outputs and the step graph shared between builds.</summary>
public sealed class CutoffTests
{
    /// <summary>
    /// Evaluation 1 is built; in evaluation 2 one leaf changed, so that leaf and every derivation
    /// depending on it get new paths. Walking evaluation 2 must find exactly those (within the
    /// build's closure) and the scheduler must build exactly them.
    /// </summary>
    [Fact]
    public void A_second_evaluation_where_one_leaf_changed_builds_exactly_that_chain()
    {
        Gen.Select(Dag.Gen(50, varied: false), Gen.Int[0, 1000]).Sample((dag, pick) =>
        {
            var top = dag.Nodes.Length - 1;
            var closure = dag.Closure(dag.Nodes[top].Path);
            var leaves = Enumerable.Range(0, dag.Nodes.Length).Where(i => dag.Nodes[i].InputDrvs.Count == 0 && closure.Contains(dag.Nodes[i].Path)).ToList();
            var leaf = leaves[pick % leaves.Count];
            // Everything that reaches the leaf changes (its inputs' paths change, so its own does).
            var changed = new HashSet<int> { leaf };
            for (var i = 0; i < dag.Nodes.Length; i++)
            {
                if (dag.Nodes[i].InputDrvs.Any(p => changed.Contains(Index(dag, p))))
                {
                    changed.Add(i);
                }
            }
            string Path(int i) => Dag.DrvPath(i, changed.Contains(i) ? "v2" : "");
            var eval2 = dag.Nodes.Select((n, i) => new DrvInfo(Path(i), n.System, n.RequiredFeatures, [Dag.OutPath(i, changed.Contains(i) ? "v2" : "")],
                n.InputDrvs.Select(p => Path(Index(dag, p))).ToArray())).ToArray();
            var built = new FixedOutputOracle(dag.Nodes.SelectMany(n => n.OutputPaths));

            var h = new Harness();
            h.Core.AddMachine(Harness.Machine("m", 4));
            Assert.Equal(AttachOutcome.Cached, h.Add(dag.Source, Dag.Build(1, dag.Nodes[top].Path), built));
            Assert.Equal(AttachOutcome.Queued, h.Add(new InMemoryDrvSource(eval2), Dag.Build(2, Path(top)), built));
            h.RunToEnd();

            var expected = changed.Where(i => closure.Contains(dag.Nodes[i].Path)).Select(Path).Order(StringComparer.Ordinal);
            Assert.Equal(expected, h.Started.Select(a => a.DrvPath).Order(StringComparer.Ordinal));
            Assert.Equal(BuildStatus.Succeeded, h.Recorder.Finished[2].Status);
            Assert.True(h.Recorder.Finished[1].IsCachedBuild);
        }, iter: 200);
    }

    private static int Index(Dag dag, string path) => int.Parse(path[(path.LastIndexOf("-n", StringComparison.Ordinal) + 2)..^4], System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Builds_sharing_derivations_share_their_steps_and_each_is_built_once()
    {
        Gen.Select(Dag.Gen(40, varied: false), Gen.Int[2, 8]).Sample((dag, builds) =>
        {
            var h = new Harness();
            h.Core.AddMachine(Harness.Machine("m", 3));
            var tops = Enumerable.Range(0, builds).Select(b => dag.Nodes[^(1 + (b % dag.Nodes.Length))].Path).ToList();
            for (var b = 0; b < builds; b++)
            {
                var outcome = h.Add(dag.Source, Dag.Build(b + 1, tops[b]));
                Assert.True(outcome is AttachOutcome.Queued, $"{outcome}");
            }
            h.RunToEnd();
            var needed = tops.SelectMany(dag.Closure).ToHashSet();
            Assert.Equal(needed.Order(StringComparer.Ordinal), h.Started.Select(a => a.DrvPath).Order(StringComparer.Ordinal));
            Assert.All(h.Recorder.Finished.Values, f => Assert.Equal(BuildStatus.Succeeded, f.Status));
            Assert.Equal(builds, h.Recorder.Finished.Count);
        }, iter: 200);
    }

    [Fact]
    public async Task A_recorded_failed_path_fails_the_build_without_building()
    {
        var source = new InMemoryDrvSource(
        [
            new DrvInfo(Dag.DrvPath(0), "x86_64-linux", [], [Dag.OutPath(0)], []),
            new DrvInfo(Dag.DrvPath(1), "x86_64-linux", [], [Dag.OutPath(1)], [Dag.DrvPath(0)]),
        ]);
        var h = new Harness();
        var fragment = await new StepExpander(source, FixedOutputOracle.None, new FailedSet(Dag.OutPath(0)), h.Core.Marks).ExpandAsync(Dag.DrvPath(1), TestContext.Current.CancellationToken);
        Assert.Equal(Dag.DrvPath(0), fragment.FailedDrv);
        Assert.Equal(AttachOutcome.Failed, h.Core.AddBuild(Dag.Build(1, Dag.DrvPath(1)), fragment));
        Assert.Equal(BuildStatus.DependencyFailed, h.Recorder.Finished[1].Status);
        Assert.True(h.Recorder.Finished[1].IsCachedBuild);
        Assert.Equal(BuildStatus.CachedFailure, h.Recorder.Steps.Single().Status);
    }

    [Fact]
    public async Task Failed_paths_are_looked_up_once_per_build_for_exactly_the_outputs_to_build()
    {
        // A chain of six levels whose bottom is already built: one lookup, of the five outputs above it.
        var source = new InMemoryDrvSource(Enumerable.Range(0, 6).Select(i =>
            new DrvInfo(Dag.DrvPath(i), "x86_64-linux", [], [Dag.OutPath(i)], i == 0 ? [] : [Dag.DrvPath(i - 1)])));
        var failed = new FailedSet();
        var fragment = await new StepExpander(source, new FixedOutputOracle([Dag.OutPath(0)]), failed, new Harness().Core.Marks)
            .ExpandAsync(Dag.DrvPath(5), TestContext.Current.CancellationToken);
        Assert.Null(fragment.FailedDrv);
        var lookup = Assert.Single(failed.Lookups);
        Assert.Equal(Enumerable.Range(1, 5).Select(i => Dag.OutPath(i)).Order(StringComparer.Ordinal), lookup.Order(StringComparer.Ordinal));
    }

    private sealed class FailedSet(params string[] failed) : IFailedPathSource
    {
        public List<IReadOnlyCollection<string>> Lookups { get; } = [];

        public Task<IReadOnlySet<string>> FindFailedAsync(IReadOnlyCollection<string> outputPaths, CancellationToken cancellationToken)
        {
            Lookups.Add(outputPaths);
            return Task.FromResult<IReadOnlySet<string>>(outputPaths.Where(failed.Contains).ToHashSet());
        }
    }
}
