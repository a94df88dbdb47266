using CsCheck;
using Vigil.Data.Farm;
using Vigil.Farm.Graph;
using Vigil.Farm.Scheduling;
using Vigil.Farm.Tests.Support;

namespace Vigil.Farm.Tests;

/// <summary>Properties of the scheduler over random graphs, machines and priorities, on a manual clock.</summary>
public sealed class SchedulerPropertyTests
{
    private static DrvInfo Leaf(int i) => new(Dag.DrvPath(i), "x86_64-linux", [], [Dag.OutPath(i)], []);

    [Fact]
    public void Runnable_steps_start_in_priority_order()
    {
        Gen.Select(Gen.Int[0, 5].Array[2, 40], Gen.Int[0, 2].Array[40]).Sample((priorities, globals) =>
        {
            var h = new Harness();
            h.Core.AddMachine(Harness.Machine("m", 1));
            var source = new InMemoryDrvSource(priorities.Select((_, i) => Leaf(i)));
            for (var i = 0; i < priorities.Length; i++)
            {
                Assert.Equal(AttachOutcome.Queued, h.Add(source, Dag.Build(i + 1, Dag.DrvPath(i), priority: priorities[i], global: globals[i])));
            }
            h.RunToEnd();
            var order = h.Started.Select(a => (Global: globals[a.BuildId - 1], Local: priorities[a.BuildId - 1])).ToList();
            for (var i = 1; i < order.Count; i++)
            {
                Assert.True(order[i - 1].CompareTo(order[i]) >= 0, $"started {order[i - 1]} before {order[i]}");
            }
        });
    }

    [Fact]
    public void A_priority_bump_at_runtime_moves_the_build_first()
    {
        var h = new Harness();
        h.Core.AddMachine(Harness.Machine("m", 1));
        var source = new InMemoryDrvSource(Enumerable.Range(0, 5).Select(Leaf));
        for (var i = 0; i < 5; i++)
        {
            h.Add(source, Dag.Build(i + 1, Dag.DrvPath(i), priority: 10 - i));
        }
        h.Core.Dispatch();
        Assert.Equal(1, h.Started.Single().BuildId);
        Assert.True(h.Core.BumpBuild(5, 100));
        h.RunToEnd();
        Assert.Equal([1L, 5, 2, 3, 4], h.Started.Select(a => a.BuildId));
    }

    [Fact]
    public void Under_contention_build_time_is_shared_in_the_ratio_of_the_jobsets_shares()
    {
        Gen.Select(Gen.Int[1, 4], Gen.Int[1, 4], Gen.Int[1, 6], Gen.Int[5, 30], Gen.Int[5, 30]).Sample((sharesA, sharesB, slots, secondsA, secondsB) =>
        {
            var h = new Harness();
            h.Core.AddMachine(Harness.Machine("m", slots));
            const int PerJobset = 400;
            var source = new InMemoryDrvSource(Enumerable.Range(0, 2 * PerJobset).Select(Leaf));
            for (var i = 0; i < 2 * PerJobset; i++)
            {
                var a = i % 2 == 0;
                h.Add(source, Dag.Build(i + 1, Dag.DrvPath(i), jobset: a ? 1 : 2, shares: a ? sharesA * 100 : sharesB * 100));
            }
            h.Duration = s => TimeSpan.FromSeconds(s.BuildId % 2 == 1 ? secondsA : secondsB);
            // Build time each jobset used while both still had work waiting: the part of each step
            // that ran before contention ended, not its whole duration (the scheduler can only
            // see time already used, so charging a long step whole at its start overstates it).
            var runs = new List<(int Jobset, DateTimeOffset Start, DateTimeOffset End)>();
            var startedPerJobset = new int[2];
            DateTimeOffset? contentionEnded = null;
            h.RunToEnd(() =>
            {
                foreach (var a in h.Started.Skip(runs.Count))
                {
                    var j = (int)((a.BuildId + 1) % 2);
                    startedPerJobset[j]++;
                    runs.Add((j, h.Clock.Now, h.Clock.Now + h.Duration(a)));
                }
                if (contentionEnded is null && startedPerJobset.Any(n => n >= PerJobset * 3 / 4))
                {
                    contentionEnded = h.Clock.Now;
                }
            });
            var until = contentionEnded ?? throw new InvalidOperationException("contention never ended");
            var used = new double[2];
            foreach (var (j, start, end) in runs.Where(r => r.Start < until))
            {
                used[j] += ((end < until ? end : until) - start).TotalSeconds;
            }
            // A step holds its slot until it ends, so the split can be off by at most about one
            // step per slot: a bound on the deviation from the ideal, not a ratio band, which
            // long steps on a small window would break.
            var idealA = (used[0] + used[1]) * sharesA / (sharesA + sharesB);
            var slack = slots * Math.Max(secondsA, secondsB);
            Assert.InRange(used[0] - idealA, -slack, slack);
        }, iter: 100);
    }

    [Fact]
    public void No_runnable_step_waits_while_a_machine_that_can_build_it_has_a_free_slot_and_features_are_honoured()
    {
        MachineSpec[] machines =
        [
            Harness.Machine("m1", 2, supported: ["big-parallel"]),
            Harness.Machine("m2", 1, systems: ["x86_64-linux", "aarch64-linux"], supported: ["kvm", "big-parallel"]),
            Harness.Machine("m3", 1, mandatory: ["kvm"]),
            Harness.Machine("m4", 2, systems: ["aarch64-linux"]),
        ];
        Gen.Select(Dag.Gen(60, varied: true), Gen.Int[1, 5]).Sample((dag, builds) =>
        {
            var h = new Harness();
            foreach (var m in machines)
            {
                h.Core.AddMachine(m);
            }
            h.Duration = a => TimeSpan.FromSeconds(1 + (a.DrvPath.GetHashCode(StringComparison.Ordinal) & 7));
            var source = dag.Source;
            for (var b = 0; b < builds; b++)
            {
                h.Add(source, Dag.Build(b + 1, dag.Nodes[^(1 + (b % dag.Nodes.Length))].Path));
            }
            h.RunToEnd(() =>
            {
                var free = h.Core.Machines().Where(m => m.Running < m.Spec.MaxJobs).Select(m => m.Spec).ToList();
                foreach (var step in h.Core.Steps().Where(s => s.State == "Runnable"))
                {
                    Assert.DoesNotContain(free, m => MachineMatching.Serves(m, step.System, step.RequiredFeatures));
                }
            });
            var byName = machines.ToDictionary(m => m.Name);
            foreach (var a in h.Started)
            {
                Assert.True(MachineMatching.Serves(byName[a.Machine], a.System, a.RequiredFeatures), $"{a.Machine} got {a.System} [{string.Join(' ', a.RequiredFeatures)}]");
                if (a.Machine == "m3")
                {
                    Assert.Contains("kvm", a.RequiredFeatures);
                }
            }
            Assert.All(h.Recorder.Finished.Values, f => Assert.Equal(BuildStatus.Succeeded, f.Status));
            Assert.Equal(h.Started.Count, h.Started.Select(a => a.DrvPath).Distinct().Count());
        }, iter: 200);
    }

    [Fact]
    public void A_machine_is_chosen_by_lowest_pressure_then_most_free_slots()
    {
        var h = new Harness();
        h.Core.AddMachine(Harness.Machine("busy", 8));
        h.Core.AddMachine(Harness.Machine("calm", 2));
        h.Core.ReportLoad("busy", new MachineLoad(60, h.Clock.Now));
        h.Core.ReportLoad("calm", new MachineLoad(5, h.Clock.Now));
        var source = new InMemoryDrvSource(Enumerable.Range(0, 3).Select(Leaf));
        for (var i = 0; i < 3; i++)
        {
            h.Add(source, Dag.Build(i + 1, Dag.DrvPath(i)));
        }
        h.Core.Dispatch();
        // calm first (pressure 5, then 5 + 50 after one start), then busy (60 < 5 + 100).
        Assert.Equal(["calm", "calm", "busy"], h.Started.Select(a => a.Machine));
    }
}
