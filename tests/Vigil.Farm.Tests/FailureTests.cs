using CsCheck;
using Vigil.Data.Farm;
using Vigil.Farm.Graph;
using Vigil.Farm.Scheduling;
using Vigil.Farm.Tests.Support;

namespace Vigil.Farm.Tests;

/// <summary>Failure semantics: propagation to dependent builds, failed paths, retries with backoff and jitter, cancellation.</summary>
public sealed class FailureTests
{
    [Fact]
    public void A_permanent_failure_fails_exactly_the_builds_that_need_the_step()
    {
        Gen.Select(Dag.Gen(40, varied: false), Gen.Int[0, 1000], Gen.Int[1, 6]).Sample((dag, pick, buildCount) =>
        {
            var h = new Harness();
            h.Core.AddMachine(Harness.Machine("m", 3));
            var failing = dag.Nodes[pick % dag.Nodes.Length].Path;
            h.Outcome = a => a.DrvPath == failing ? StepOutcome.BuildFailure : StepOutcome.Succeeded;
            var tops = Enumerable.Range(0, buildCount).Select(b => dag.Nodes[^(1 + (b * 7 % dag.Nodes.Length))].Path).ToList();
            for (var b = 0; b < tops.Count; b++)
            {
                h.Add(dag.Source, Dag.Build(b + 1, tops[b]));
            }
            h.RunToEnd();
            for (var b = 0; b < tops.Count; b++)
            {
                var finish = h.Recorder.Finished[b + 1];
                var expected = !dag.Closure(tops[b]).Contains(failing) ? BuildStatus.Succeeded
                    : tops[b] == failing ? BuildStatus.Failed : BuildStatus.DependencyFailed;
                Assert.Equal(expected, finish.Status);
            }
            var anyNeeds = tops.Any(t => dag.Closure(t).Contains(failing));
            Assert.Equal(anyNeeds ? 1 : 0, h.Started.Count(a => a.DrvPath == failing));
            Assert.Equal(anyNeeds ? [Dag.OutPath(dag.Nodes.ToList().FindIndex(n => n.Path == failing))] : [], h.Recorder.FailedPaths.Select(f => f.Path));
            Assert.Equal(0, h.Core.UnfinishedBuilds);
            Assert.Empty(h.Core.Steps());
        }, iter: 300);
    }

    [Fact]
    public void Retry_delays_grow_exponentially_with_bounded_jitter()
    {
        Gen.Select(Gen.Int[1, 12], Gen.Int[0, int.MaxValue]).Sample((n, seed) =>
        {
            var policy = new RetryPolicy(5, TimeSpan.FromSeconds(60), 3.0, 0.25, TimeSpan.FromHours(1));
            var d = Math.Min(60 * Math.Pow(3, n - 1), 3600);
            var delay = policy.Delay(n, new Random(seed)).TotalSeconds;
            Assert.InRange(delay, d - 1e-6, (d * 1.25) + 1e-6);
        });
    }

    [Fact]
    public void Only_retryable_outcomes_are_retried_each_after_its_backoff_and_up_to_the_limit()
    {
        var outcomes = Enum.GetValues<StepOutcome>().Where(o => o != StepOutcome.Succeeded).ToArray();
        Gen.Select(Gen.Int[0, outcomes.Length - 1], Gen.Int[1, 5], Gen.Int[0, 1000]).Sample((which, failures, seed) =>
        {
            var outcome = outcomes[which];
            var options = SchedulerOptions.Default with { Retry = new RetryPolicy(3, TimeSpan.FromSeconds(60), 3.0, 0.25, TimeSpan.FromHours(1)) };
            var h = new Harness(options, seed);
            h.Core.AddMachine(Harness.Machine("m", 1));
            var attempt = 0;
            h.Outcome = _ => ++attempt <= failures ? outcome : StepOutcome.Succeeded;
            h.Duration = _ => TimeSpan.FromSeconds(5);
            h.Add(new InMemoryDrvSource([new DrvInfo(Dag.DrvPath(0), "x86_64-linux", [], [Dag.OutPath(0)], [])]), Dag.Build(1, Dag.DrvPath(0)));
            h.RunToEnd();
            var retryable = StepClassification.IsRetryable(outcome);
            var expectedAttempts = !retryable ? 1 : Math.Min(failures + 1, 3);
            Assert.Equal(expectedAttempts, h.Started.Count);
            for (var i = 1; i < h.Started.Count; i++)
            {
                var failedAt = h.Started[i - 1].StartedAt + TimeSpan.FromSeconds(5);
                var d = 60 * Math.Pow(3, i - 1);
                Assert.InRange((h.Started[i].StartedAt - failedAt).TotalSeconds, d, d * 1.25);
            }
            var final = h.Recorder.Finished[1].Status;
            if (retryable && failures < 3)
            {
                Assert.Equal(BuildStatus.Succeeded, final);
            }
            else
            {
                Assert.Equal(StepClassification.Status(outcome), final);
            }
            Assert.Equal(!retryable && StepClassification.CachesFailure(outcome) ? 1 : 0, h.Recorder.FailedPaths.Count);
        }, iter: 300);
    }

    [Fact]
    public void Every_outcome_maps_to_a_hydra_status_and_only_derivation_failures_are_cached()
    {
        Assert.Equal(BuildStatus.Succeeded, StepClassification.Status(StepOutcome.Succeeded));
        Assert.Equal(BuildStatus.Failed, StepClassification.Status(StepOutcome.BuildFailure));
        Assert.Equal(BuildStatus.TimedOut, StepClassification.Status(StepOutcome.TimedOut));
        Assert.Equal(BuildStatus.LogLimitExceeded, StepClassification.Status(StepOutcome.LogLimitExceeded));
        Assert.Equal(BuildStatus.NarSizeLimitExceeded, StepClassification.Status(StepOutcome.OutputLimitExceeded));
        Assert.Equal(BuildStatus.Aborted, StepClassification.Status(StepOutcome.BuilderLost));
        Assert.Equal([StepOutcome.TransientFailure, StepOutcome.DependencyFailed, StepOutcome.BuilderLost, StepOutcome.Aborted],
            Enum.GetValues<StepOutcome>().Where(StepClassification.IsRetryable));
        Assert.Equal([StepOutcome.BuildFailure, StepOutcome.NotDeterministic], Enum.GetValues<StepOutcome>().Where(StepClassification.CachesFailure));
        Assert.Equal("dependency-failed", BuildStatusNames.Name(BuildStatus.DependencyFailed));
        Assert.Equal("unknown-42", BuildStatusNames.Name((BuildStatus)42));
    }

    [Fact]
    public void A_lost_machine_requeues_its_steps_and_they_finish_elsewhere()
    {
        var h = new Harness();
        h.Core.AddMachine(Harness.Machine("a", 1));
        h.Add(new InMemoryDrvSource([new DrvInfo(Dag.DrvPath(0), "x86_64-linux", [], [Dag.OutPath(0)], [])]), Dag.Build(1, Dag.DrvPath(0)));
        h.Core.Dispatch();
        Assert.Equal("a", h.Started.Single().Machine);
        h.Abort(h.Started[0]);
        h.Core.RemoveMachine("a");
        h.Core.AddMachine(Harness.Machine("b", 1));
        h.RunToEnd();
        Assert.Equal(["a", "b"], h.Started.Select(s => s.Machine));
        Assert.Equal(BuildStatus.Succeeded, h.Recorder.Finished[1].Status);
        Assert.Equal([BuildStatus.Aborted, BuildStatus.Succeeded], h.Recorder.Steps.Where(s => s.Status is not null).Select(s => s.Status!.Value));
    }

    [Fact]
    public void A_stopping_scheduler_dispatches_nothing_and_requeues_aborted_steps_whatever_their_attempts()
    {
        var options = SchedulerOptions.Default with { Retry = new RetryPolicy(1, TimeSpan.Zero, 1.0, 0, TimeSpan.Zero) };
        var h = new Harness(options);
        h.Core.AddMachine(Harness.Machine("m", 1));
        var source = new InMemoryDrvSource(Enumerable.Range(0, 2).Select(i => new DrvInfo(Dag.DrvPath(i), "x86_64-linux", [], [Dag.OutPath(i)], [])));
        h.Add(source, Dag.Build(1, Dag.DrvPath(0)));
        h.Add(source, Dag.Build(2, Dag.DrvPath(1)));
        h.Core.Dispatch();
        var running = h.Started.Single();

        h.Core.StopDispatching();
        h.Core.Complete(new StepResult(running.Id, StepOutcome.Aborted, "the server stopped before the step finished"));
        Assert.Equal(0, h.Core.Dispatch());
        h.Clock.Now += TimeSpan.FromHours(1);
        Assert.Equal(0, h.Core.Dispatch());

        // One attempt was the limit, yet neither build finished: both wait for the next start.
        Assert.Single(h.Started);
        Assert.Empty(h.Recorder.Finished);
        Assert.Equal(2, h.Core.UnfinishedBuilds);
        Assert.Equal(BuildStatus.Aborted, h.Recorder.Steps.Single(s => s.Status is not null).Status);
    }

    [Fact]
    public void Cancelling_keeps_steps_other_builds_need_and_aborts_the_rest()
    {
        // n0 <- n1 (build 1), n0 <- n2 (build 2)
        var source = new InMemoryDrvSource(
        [
            new DrvInfo(Dag.DrvPath(0), "x86_64-linux", [], [Dag.OutPath(0)], []),
            new DrvInfo(Dag.DrvPath(1), "x86_64-linux", [], [Dag.OutPath(1)], [Dag.DrvPath(0)]),
            new DrvInfo(Dag.DrvPath(2), "x86_64-linux", [], [Dag.OutPath(2)], [Dag.DrvPath(0)]),
        ]);
        var h = new Harness();
        h.Core.AddMachine(Harness.Machine("m", 2));
        h.Add(source, Dag.Build(1, Dag.DrvPath(1)));
        h.Add(source, Dag.Build(2, Dag.DrvPath(2)));
        h.Core.Dispatch();
        Assert.Equal(Dag.DrvPath(0), h.Running.Single().DrvPath);
        Assert.True(h.Core.CancelBuild(1));
        Assert.Empty(h.Aborted);
        Assert.True(h.Core.CancelBuild(2));
        Assert.Equal(Dag.DrvPath(0), h.Aborted.Single().DrvPath);
        Assert.Empty(h.Core.Steps());
        h.RunToEnd();
        Assert.Equal(BuildStatus.Cancelled, h.Recorder.Finished[1].Status);
        Assert.Equal(BuildStatus.Cancelled, h.Recorder.Finished[2].Status);
        Assert.Contains(h.Recorder.Steps, s => s.Status == BuildStatus.Cancelled && s.DrvPath == Dag.DrvPath(0));
    }

    [Fact]
    public void A_step_no_machine_can_build_fails_as_unsupported_after_the_grace_time()
    {
        var h = new Harness(SchedulerOptions.Default with { MaxUnsupportedTime = TimeSpan.FromSeconds(120) });
        h.Core.AddMachine(Harness.Machine("x86", 1));
        h.Add(new InMemoryDrvSource([new DrvInfo(Dag.DrvPath(0), "riscv64-linux", [], [Dag.OutPath(0)], [])]), Dag.Build(1, Dag.DrvPath(0)));
        var start = h.Clock.Now;
        h.RunToEnd();
        Assert.Equal(BuildStatus.Unsupported, h.Recorder.Finished[1].Status);
        Assert.Equal(TimeSpan.FromSeconds(120), h.Recorder.Finished[1].StopTime - start);
        Assert.Empty(h.Recorder.FailedPaths);
    }
}
