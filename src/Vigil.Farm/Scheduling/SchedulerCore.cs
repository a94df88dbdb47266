using System.Collections.Concurrent;
using Vigil.Data.Farm;
using Vigil.Farm.Graph;
using Vigil.Farm.Recording;

namespace Vigil.Farm.Scheduling;

/// <summary>
/// The queue runner's scheduler: the step graph shared by all builds, per-kind queues, machines and
/// their slots, all in memory. Not thread-safe: one thread drives it (<see cref="QueueRunner"/>, or a
/// test directly), and nothing in it waits for the database, which only hears about what happened
/// through the <see cref="IFarmRecorder"/>.
/// <para>Order of runnable steps: global priority, then priority (each the highest of the builds
/// needing the step), then the lowest fair-share use among the step's jobsets (charged build time
/// per share), then the longest critical path, then the lowest build id. The machine: among those
/// that can build the step and have a free slot, the least pressure (last report plus steps started
/// since), then the most free slots.</para>
/// </summary>
public sealed class SchedulerCore
{
    private readonly SchedulerOptions options;
    private readonly TimeProvider time;
    private readonly Random random;
    private readonly IFarmRecorder recorder;
    private readonly IStepDispatcher dispatcher;
    private readonly Dictionary<string, Step> steps = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StepMark> marks = new(StringComparer.Ordinal);
    private readonly Dictionary<long, BuildState> builds = [];
    private readonly Dictionary<string, StepKind> kinds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MachineState> machines = new(StringComparer.Ordinal);
    private readonly Dictionary<long, Step> running = [];
    private readonly PriorityQueue<Step, DateTimeOffset> backoff = new();
    private readonly Dictionary<long, JobsetAccount> accounts = [];
    private readonly Dictionary<string, JobsetGroup> groups = new(StringComparer.Ordinal) { [""] = JobsetGroup.Empty };
    private readonly Dictionary<JobsetGroup, (double Used, double Running)> shareCache = [];
    private int nextStepIndex;
    private long nextAssignmentId;
    private long dispatched;
    private long succeeded;
    private long failed;
    private long retried;
    private long cancelled;
    private TimeSpan idleSlotTime;

    public SchedulerCore(SchedulerOptions options, TimeProvider time, Random random, IFarmRecorder recorder, IStepDispatcher dispatcher)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(recorder);
        ArgumentNullException.ThrowIfNull(dispatcher);
        this.options = options;
        this.time = time;
        this.random = random;
        this.recorder = recorder;
        this.dispatcher = dispatcher;
    }

    /// <summary>What the scheduler knows of each derivation, for closure walks running on other threads (<see cref="StepExpander"/>).</summary>
    public IReadOnlyDictionary<string, StepMark> Marks => marks;

    public int UnfinishedBuilds => builds.Count;

    /// <summary>
    /// Set by a graceful stop: nothing more is dispatched, and a running step that ends in a
    /// retryable way goes back to the queue whatever its attempts, since the stop is not the
    /// step's failure. Its build stays unfinished for the next start to take up.
    /// </summary>
    public bool Stopping { get; private set; }

    public void StopDispatching() => Stopping = true;

    public bool HasBuild(long buildId) => builds.ContainsKey(buildId);

    public SchedulerStats Stats => new(steps.Count, dispatched, succeeded, failed, retried, cancelled,
        kinds.Values.Sum(k => k.Runnable), running.Count, builds.Count, idleSlotTime);

    /// <summary>When the scheduler next has something to do by itself (a retry comes due, an unsupported step times out); null when nothing.</summary>
    public DateTimeOffset? NextWakeUp
    {
        get
        {
            DateTimeOffset? next = null;
            while (backoff.TryPeek(out var step, out var at))
            {
                if (step.State == StepState.Backoff && step.After == at)
                {
                    next = at;
                    break;
                }
                backoff.Dequeue();
            }
            foreach (var kind in kinds.Values)
            {
                if (kind.UnsupportedSince is { } since && kind.Runnable > 0)
                {
                    var due = since + options.MaxUnsupportedTime;
                    next = next is null || due < next ? due : next;
                }
            }
            return next;
        }
    }

    public void SetJobsetShares(long jobsetId, int shares)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shares);
        Account(jobsetId, shares).Shares = shares;
    }

    // ---- builds ----

    /// <summary>Takes up a build whose closure was walked into <paramref name="fragment"/>.</summary>
    public AttachOutcome AddBuild(QueuedBuild build, BuildFragment fragment)
    {
        ArgumentNullException.ThrowIfNull(build);
        ArgumentNullException.ThrowIfNull(fragment);
        if (builds.ContainsKey(build.Id))
        {
            return AttachOutcome.Duplicate;
        }
        Account(build.JobsetId, build.SchedulingShares);
        var now = time.GetUtcNow();
        if (fragment.FailedDrv is { } failedDrv)
        {
            FinishCachedFailure(build, failedDrv, now);
            return AttachOutcome.Failed;
        }
        // Phase 1, before changing anything: resolve every derivation to a live step, a new step,
        // or nothing (built meanwhile); a recorded failure fails the build, a vanished step makes
        // the walk stale.
        var resolved = new Dictionary<string, Step?>(StringComparer.Ordinal);
        var fresh = new List<DrvInfo>();
        foreach (var path in fragment.Boundary)
        {
            if (steps.TryGetValue(path, out var live))
            {
                resolved[path] = live;
            }
            else if (marks.TryGetValue(path, out var mark) && mark == StepMark.Succeeded)
            {
                resolved[path] = null;
            }
            else if (mark == StepMark.Failed)
            {
                FinishCachedFailure(build, path, now);
                return AttachOutcome.Failed;
            }
            else
            {
                return AttachOutcome.Stale;
            }
        }
        foreach (var node in fragment.Nodes)
        {
            if (steps.TryGetValue(node.Path, out var live))
            {
                resolved[node.Path] = live;
            }
            else if (marks.TryGetValue(node.Path, out var mark) && mark == StepMark.Failed)
            {
                FinishCachedFailure(build, node.Path, now);
                return AttachOutcome.Failed;
            }
            else if (mark == StepMark.Succeeded)
            {
                resolved[node.Path] = null;
            }
            else
            {
                fresh.Add(node);
            }
        }
        // Phase 2: create the new steps and their edges.
        var created = new List<Step>(fresh.Count);
        foreach (var drv in fresh)
        {
            var step = new Step(nextStepIndex++, drv, Kind(drv.System, drv.RequiredFeatures));
            resolved[drv.Path] = step;
            steps[drv.Path] = step;
            marks[drv.Path] = StepMark.Live;
            created.Add(step);
        }
        foreach (var step in created)
        {
            foreach (var input in step.Drv.InputDrvs)
            {
                if (resolved.TryGetValue(input, out var dep) && dep is not null && !ReferenceEquals(dep, step))
                {
                    step.Deps.Add(dep);
                    dep.Rdeps.Add(step);
                    if (dep.State != StepState.Succeeded)
                    {
                        step.PendingDeps++;
                    }
                }
            }
        }
        if (!resolved.TryGetValue(build.DrvPath, out var top) || top is null)
        {
            recorder.BuildFinished(new BuildFinish(build.Id, BuildStatus.Succeeded, true, null, now), []);
            return AttachOutcome.Cached;
        }
        var state = new BuildState(build, Group(JobsetGroup.Empty, build.JobsetId));
        builds[build.Id] = state;
        state.Top = top;
        top.TopBuilds.Add(state);
        Propagate(top, state.GlobalPriority, build.Priority, state.Jobset, build.Id, 1);
        foreach (var step in created)
        {
            if (step.PendingDeps == 0)
            {
                MakeRunnable(step, now);
            }
        }
        return AttachOutcome.Queued;
    }

    private void FinishCachedFailure(QueuedBuild build, string failedDrv, DateTimeOffset now)
    {
        var system = steps.TryGetValue(failedDrv, out var s) ? s.Drv.System : build.System;
        recorder.Step(new BuildStepRecord(build.Id, build.LastStepNr + 1, failedDrv, system, "", StepPhase.Done, BuildStatus.CachedFailure,
            "an output of this derivation is recorded as failed", now, now, 0, null));
        var status = failedDrv == build.DrvPath ? BuildStatus.Failed : BuildStatus.DependencyFailed;
        recorder.BuildFinished(new BuildFinish(build.Id, status, true, now, now), []);
        failed++;
    }

    /// <summary>Cancels a build: it finishes as Cancelled, and steps no other build needs are dropped (running ones aborted).</summary>
    public bool CancelBuild(long buildId)
    {
        if (!builds.TryGetValue(buildId, out var build))
        {
            return false;
        }
        var now = time.GetUtcNow();
        FinishBuild(build, BuildStatus.Cancelled, now);
        Prune(build.Top!, now);
        cancelled++;
        return true;
    }

    /// <summary>Raises a build's global priority, and with it every step it needs; runnable steps move up at once.</summary>
    public bool BumpBuild(long buildId, int globalPriority)
    {
        if (!builds.TryGetValue(buildId, out var build))
        {
            return false;
        }
        if (globalPriority > build.GlobalPriority)
        {
            build.GlobalPriority = globalPriority;
            Propagate(build.Top!, globalPriority, build.Build.Priority, build.Jobset, build.Id, 1);
        }
        return true;
    }

    private void FinishBuild(BuildState build, BuildStatus status, DateTimeOffset now)
    {
        builds.Remove(build.Id);
        build.Top?.TopBuilds.Remove(build);
        recorder.BuildFinished(new BuildFinish(build.Id, status, false, build.StartedAt, now), []);
    }

    // ---- machines ----

    public void AddMachine(MachineSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(spec.MaxJobs);
        if (machines.ContainsKey(spec.Name))
        {
            RemoveMachine(spec.Name);
        }
        var machine = new MachineState(spec, time.GetUtcNow());
        machines[spec.Name] = machine;
        foreach (var kind in kinds.Values)
        {
            if (MachineMatching.Serves(spec, kind.System, kind.Features))
            {
                kind.Machines.Add(machine);
            }
        }
    }

    /// <summary>A machine leaves (or is lost): its running steps end as BuilderLost, which is retried.</summary>
    public void RemoveMachine(string name)
    {
        if (!machines.TryGetValue(name, out var machine))
        {
            return;
        }
        foreach (var step in machine.Running.Values.ToList())
        {
            Complete(new StepResult(step.Running!.Id, StepOutcome.BuilderLost, $"machine '{name}' went away"));
        }
        machines.Remove(name);
        foreach (var kind in kinds.Values)
        {
            kind.Machines.Remove(machine);
        }
    }

    public void ReportLoad(string name, MachineLoad load)
    {
        ArgumentNullException.ThrowIfNull(load);
        if (machines.TryGetValue(name, out var machine))
        {
            machine.Pressure = load.Pressure;
            machine.StartedSinceReport = 0;
        }
    }

    // ---- dispatch ----

    /// <summary>Fills every free slot that some runnable step can use; returns how many steps started.</summary>
    public int Dispatch()
    {
        if (Stopping)
        {
            return 0;
        }
        var now = time.GetUtcNow();
        ReleaseDueRetries(now);
        FailUnsupported(now);
        shareCache.Clear();
        var started = 0;
        while (true)
        {
            StepKind? bestKind = null;
            Lane? bestLane = null;
            Step? best = null;
            foreach (var kind in kinds.Values)
            {
                if (kind.Runnable == 0 || !HasFreeMachine(kind))
                {
                    continue;
                }
                List<(int, int, JobsetGroup)>? empty = null;
                foreach (var (key, lane) in kind.Lanes)
                {
                    if (!lane.TryPeek(out var head))
                    {
                        (empty ??= []).Add(key);
                        continue;
                    }
                    if (best is null || Better(lane, head, bestLane!, best, now))
                    {
                        bestKind = kind;
                        bestLane = lane;
                        best = head;
                    }
                }
                foreach (var key in empty ?? [])
                {
                    kind.Lanes.Remove(key);
                }
            }
            if (best is null)
            {
                return started;
            }
            bestLane!.Pop();
            Start(best, ChooseMachine(bestKind!), now);
            started++;
        }
    }

    private static bool HasFreeMachine(StepKind kind)
    {
        foreach (var machine in kind.Machines)
        {
            if (machine.HasFreeSlot)
            {
                return true;
            }
        }
        return false;
    }

    private bool Better(Lane lane, Step head, Lane bestLane, Step best, DateTimeOffset now)
    {
        if (lane.GlobalPriority != bestLane.GlobalPriority)
        {
            return lane.GlobalPriority > bestLane.GlobalPriority;
        }
        if (lane.Priority != bestLane.Priority)
        {
            return lane.Priority > bestLane.Priority;
        }
        if (!ReferenceEquals(lane.Jobsets, bestLane.Jobsets))
        {
            var (used, run) = Share(lane.Jobsets, now);
            var (bestUsed, bestRun) = Share(bestLane.Jobsets, now);
            if (used != bestUsed)
            {
                return used < bestUsed;
            }
            if (run != bestRun)
            {
                return run < bestRun;
            }
        }
        if (head.CriticalPath != best.CriticalPath)
        {
            return head.CriticalPath > best.CriticalPath;
        }
        return head.LowestBuildId != best.LowestBuildId ? head.LowestBuildId < best.LowestBuildId : head.Index < best.Index;
    }

    /// <summary>A group's share use: that of its least-served jobset.</summary>
    private (double Used, double Running) Share(JobsetGroup group, DateTimeOffset now)
    {
        if (shareCache.TryGetValue(group, out var cached))
        {
            return cached;
        }
        var used = double.MaxValue;
        var run = double.MaxValue;
        foreach (var id in group.Jobsets)
        {
            var account = accounts[id];
            var u = account.ShareUsed(now, options.ShareHalfLife);
            if (u < used || (u == used && account.RunningPerShare < run))
            {
                used = u;
                run = account.RunningPerShare;
            }
        }
        var share = group.Jobsets.Length == 0 ? (0, 0) : (used, run);
        shareCache[group] = share;
        return share;
    }

    private static MachineState ChooseMachine(StepKind kind)
    {
        MachineState? best = null;
        foreach (var machine in kind.Machines)
        {
            if (!machine.HasFreeSlot)
            {
                continue;
            }
            if (best is null)
            {
                best = machine;
                continue;
            }
            var score = machine.Score;
            var bestScore = best.Score;
            if (score < bestScore
                || (score == bestScore && machine.Spec.MaxJobs - machine.Running.Count > best.Spec.MaxJobs - best.Running.Count)
                || (score == bestScore && machine.Spec.MaxJobs - machine.Running.Count == best.Spec.MaxJobs - best.Running.Count
                    && string.CompareOrdinal(machine.Spec.Name, best.Spec.Name) < 0))
            {
                best = machine;
            }
        }
        return best!;
    }

    private void Start(Step step, MachineState machine, DateTimeOffset now)
    {
        step.Kind.Runnable--;
        var owner = OwnerBuild(step);
        owner.StartedAt ??= now;
        var limits = step.TopBuilds.Count > 0
            ? (step.TopBuilds.Max(b => b.Build.MaxSilent), step.TopBuilds.Max(b => b.Build.Timeout))
            : (options.MaxSilent, options.Timeout);
        var assignment = new StepAssignment(++nextAssignmentId, machine.Spec.Name, step.Drv.Path, step.Drv.System, step.Drv.RequiredFeatures,
            owner.Id, owner.NextStepNr++, ++step.Attempts, limits.Item1, limits.Item2, now);
        step.State = StepState.Running;
        step.Running = assignment;
        running[assignment.Id] = step;
        machine.Running[assignment.Id] = step;
        machine.StartedSinceReport++;
        var freeSince = machine.FreeSince.Count > 0 ? machine.FreeSince.Dequeue() : now;
        var waitingSince = freeSince > step.RunnableSince ? freeSince : step.RunnableSince;
        if (now > waitingSince)
        {
            idleSlotTime += now - waitingSince;
        }
        var weight = 1.0 / Math.Max(1, step.Jobsets.Jobsets.Length);
        foreach (var id in step.Jobsets.Jobsets)
        {
            accounts[id].Started(weight, now);
        }
        dispatched++;
        recorder.Step(Row(assignment, StepPhase.Connecting, null, null, null));
        dispatcher.Start(assignment);
    }

    /// <summary>The build a step's row is filed under: the lowest-id build it is the top of, else the lowest-id build needing it.</summary>
    private BuildState OwnerBuild(Step step)
    {
        if (step.TopBuilds.Count > 0)
        {
            return step.TopBuilds.MinBy(b => b.Id)!;
        }
        if (builds.TryGetValue(step.LowestBuildId, out var lowest))
        {
            return lowest;
        }
        // That build finished (cancelled); any build still needing the step will do.
        var seen = new HashSet<Step>();
        var queue = new Queue<Step>([step]);
        BuildState? found = null;
        while (queue.TryDequeue(out var s))
        {
            foreach (var b in s.TopBuilds)
            {
                found = found is null || b.Id < found.Id ? b : found;
            }
            foreach (var r in s.Rdeps)
            {
                if (r.IsLive && seen.Add(r))
                {
                    queue.Enqueue(r);
                }
            }
        }
        return found ?? throw new InvalidOperationException($"step {step.Drv.Path} is runnable but no build needs it");
    }

    private static BuildStepRecord Row(StepAssignment a, StepPhase busy, BuildStatus? status, string? error, DateTimeOffset? stop, long? propagatedFrom = null) =>
        new(a.BuildId, a.StepNr, a.DrvPath, a.System, a.Machine, busy, status, error, a.StartedAt, stop, a.Attempt, propagatedFrom);

    // ---- results ----

    /// <summary>A builder's report. Reports for assignments no longer running (aborted, duplicated) are ignored.</summary>
    public void Complete(StepResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (!running.Remove(result.AssignmentId, out var step))
        {
            return;
        }
        var now = time.GetUtcNow();
        var a = step.Running!;
        var endedAt = result.ReportedAt ?? now;
        step.Running = null;
        if (machines.TryGetValue(a.Machine, out var machine) && machine.Running.Remove(a.Id))
        {
            machine.FreeSince.Enqueue(endedAt);
            machine.StepsDone++;
        }
        var weight = 1.0 / Math.Max(1, step.Jobsets.Jobsets.Length);
        foreach (var id in step.Jobsets.Jobsets)
        {
            accounts[id].Ended(weight, a.StartedAt, endedAt, options.ShareHalfLife);
        }
        var status = StepClassification.Status(result.Outcome);
        recorder.Step(Row(a, StepPhase.Done, status, result.Error, now));
        if (result.Outcome == StepOutcome.Succeeded)
        {
            Succeed(step, now);
        }
        else if (StepClassification.IsRetryable(result.Outcome) && (Stopping || step.Attempts < options.Retry.MaxAttempts))
        {
            step.State = StepState.Backoff;
            step.After = now + options.Retry.Delay(step.Attempts, random);
            backoff.Enqueue(step, step.After);
            retried++;
        }
        else
        {
            Fail(step, status, a.BuildId, StepClassification.CachesFailure(result.Outcome), now);
        }
    }

    private void Succeed(Step step, DateTimeOffset now)
    {
        step.State = StepState.Succeeded;
        steps.Remove(step.Drv.Path);
        marks[step.Drv.Path] = StepMark.Succeeded;
        succeeded++;
        foreach (var build in step.TopBuilds.ToList())
        {
            builds.Remove(build.Id);
            recorder.BuildFinished(new BuildFinish(build.Id, BuildStatus.Succeeded, false, build.StartedAt, now), []);
        }
        step.TopBuilds.Clear();
        foreach (var rdep in step.Rdeps)
        {
            if (rdep.State == StepState.Waiting && --rdep.PendingDeps == 0)
            {
                MakeRunnable(rdep, now);
            }
        }
        // The step's inputs and dependents are no longer needed through it.
        step.Deps.Clear();
        step.Rdeps.Clear();
    }

    /// <summary>
    /// A permanent failure: the step and everything waiting on it can never run, so every build
    /// needing it finishes (its own failure status for builds whose top-level step this is,
    /// dependency-failed for the others, each with a step row naming the build where it happened),
    /// and steps only those builds needed are dropped.
    /// </summary>
    private void Fail(Step step, BuildStatus status, long ownerBuildId, bool cache, DateTimeOffset now)
    {
        if (cache)
        {
            foreach (var output in step.Drv.OutputPaths)
            {
                recorder.PathFailed(new FailedPathRecord(output, step.Drv.Path, status, now));
            }
            marks[step.Drv.Path] = StepMark.Failed;
        }
        else
        {
            // Not cached (a limit, or retries used up): a later evaluation may try it again.
            marks.TryRemove(step.Drv.Path, out _);
        }
        steps.Remove(step.Drv.Path);
        step.State = StepState.Failed;
        failed++;
        var affected = new List<Step> { step };
        var seen = new HashSet<Step> { step };
        for (var i = 0; i < affected.Count; i++)
        {
            foreach (var rdep in affected[i].Rdeps)
            {
                if (rdep.IsLive && seen.Add(rdep))
                {
                    affected.Add(rdep);
                }
            }
        }
        var failedBuilds = new List<BuildState>();
        foreach (var s in affected)
        {
            foreach (var build in s.TopBuilds)
            {
                failedBuilds.Add(build);
            }
        }
        failedBuilds.Sort((x, y) => x.Id.CompareTo(y.Id));
        foreach (var build in failedBuilds)
        {
            if (build.Id != ownerBuildId)
            {
                recorder.Step(new BuildStepRecord(build.Id, build.NextStepNr++, step.Drv.Path, step.Drv.System, "", StepPhase.Done, status,
                    null, now, now, step.Attempts, ownerBuildId));
            }
            FinishBuild(build, build.Top == step ? status : BuildStatus.DependencyFailed, now);
        }
        for (var i = 1; i < affected.Count; i++)
        {
            Kill(affected[i], now);
        }
        foreach (var build in failedBuilds)
        {
            Prune(build.Top!, now);
        }
    }

    /// <summary>
    /// After builds went away: every live step under <paramref name="top"/> that no unfinished build
    /// needs any more is dropped, deciding dependents before their inputs (topological order).
    /// </summary>
    private void Prune(Step top, DateTimeOffset now)
    {
        // Walk through steps that are already dead or failed too: live inputs below them may now be orphans.
        var candidates = new HashSet<Step>();
        var visited = new HashSet<Step> { top };
        var stack = new Stack<Step>([top]);
        while (stack.TryPop(out var s))
        {
            if (s.IsLive)
            {
                candidates.Add(s);
            }
            foreach (var dep in s.Deps)
            {
                if (dep.State != StepState.Succeeded && visited.Add(dep))
                {
                    stack.Push(dep);
                }
            }
        }
        var waitingOn = new Dictionary<Step, int>(candidates.Count);
        foreach (var s in candidates)
        {
            waitingOn[s] = s.Rdeps.Count(candidates.Contains);
        }
        var ready = new Queue<Step>(candidates.Where(s => waitingOn[s] == 0));
        var alive = new HashSet<Step>();
        while (ready.TryDequeue(out var s))
        {
            var needed = s.TopBuilds.Count > 0 || s.Rdeps.Any(r => r.IsLive && (!candidates.Contains(r) || alive.Contains(r)));
            if (needed)
            {
                alive.Add(s);
            }
            foreach (var dep in s.Deps)
            {
                if (candidates.Contains(dep) && --waitingOn[dep] == 0)
                {
                    ready.Enqueue(dep);
                }
            }
            if (!needed)
            {
                Kill(s, now);
            }
        }
    }

    private void Kill(Step step, DateTimeOffset now)
    {
        if (step.State == StepState.Runnable)
        {
            step.Kind.Runnable--;
        }
        if (step.Running is { } a)
        {
            running.Remove(a.Id);
            if (machines.TryGetValue(a.Machine, out var machine) && machine.Running.Remove(a.Id))
            {
                machine.FreeSince.Enqueue(now);
            }
            var weight = 1.0 / Math.Max(1, step.Jobsets.Jobsets.Length);
            foreach (var id in step.Jobsets.Jobsets)
            {
                accounts[id].Ended(weight, a.StartedAt, now, options.ShareHalfLife);
            }
            recorder.Step(Row(a, StepPhase.Done, BuildStatus.Cancelled, "no build needs this step any more", now));
            dispatcher.Abort(a);
            step.Running = null;
        }
        step.State = StepState.Dead;
        steps.Remove(step.Drv.Path);
        marks.TryRemove(step.Drv.Path, out _);
        foreach (var dep in step.Deps)
        {
            dep.Rdeps.Remove(step);
        }
    }

    // ---- queues ----

    private void MakeRunnable(Step step, DateTimeOffset now)
    {
        step.State = StepState.Runnable;
        step.RunnableSince = now;
        step.Kind.Runnable++;
        step.Version++;
        step.Kind.Push(step);
    }

    private void ReleaseDueRetries(DateTimeOffset now)
    {
        while (backoff.TryPeek(out var step, out var at) && at <= now)
        {
            backoff.Dequeue();
            if (step.State == StepState.Backoff && step.After == at)
            {
                MakeRunnable(step, now);
            }
        }
    }

    private void FailUnsupported(DateTimeOffset now)
    {
        foreach (var kind in kinds.Values)
        {
            if (kind.Machines.Count > 0 || kind.Runnable == 0)
            {
                kind.UnsupportedSince = null;
                continue;
            }
            kind.UnsupportedSince ??= now;
            if (now - kind.UnsupportedSince.Value < options.MaxUnsupportedTime)
            {
                continue;
            }
            foreach (var lane in kind.Lanes.Values.ToList())
            {
                while (lane.TryPeek(out var step))
                {
                    lane.Pop();
                    step.Kind.Runnable--;
                    step.State = StepState.Failed;
                    var owner = OwnerBuild(step);
                    recorder.Step(new BuildStepRecord(owner.Id, owner.NextStepNr++, step.Drv.Path, step.Drv.System, "", StepPhase.Done, BuildStatus.Unsupported,
                        $"no machine builds system '{kind.System}'" + (kind.Features.Length > 0 ? $" with features {string.Join(' ', kind.Features)}" : ""), now, now, step.Attempts, null));
                    Fail(step, BuildStatus.Unsupported, owner.Id, false, now);
                }
            }
            kind.Lanes.Clear();
            kind.UnsupportedSince = null;
        }
    }

    /// <summary>
    /// Raises the keys of <paramref name="top"/> and of every input below it to at least the given
    /// ones (critical path: one more per level down). Stops where a step already has them all,
    /// since its inputs then have them too. Runnable steps whose keys changed are requeued.
    /// </summary>
    private void Propagate(Step top, int globalPriority, int priority, JobsetGroup jobsets, long buildId, int criticalPath)
    {
        var stack = new Stack<(Step Step, int Global, int Local, JobsetGroup Jobsets, long BuildId, int Cp)>();
        stack.Push((top, globalPriority, priority, jobsets, buildId, criticalPath));
        while (stack.TryPop(out var item))
        {
            var s = item.Step;
            if (!s.IsLive)
            {
                continue;
            }
            var changed = false;
            if (item.Global > s.GlobalPriority)
            {
                s.GlobalPriority = item.Global;
                changed = true;
            }
            if (item.Local > s.Priority)
            {
                s.Priority = item.Local;
                changed = true;
            }
            var union = Union(s.Jobsets, item.Jobsets);
            if (!ReferenceEquals(union, s.Jobsets))
            {
                if (s.State == StepState.Running)
                {
                    // The running weight was split by the old group; keep the accounts consistent.
                    Reweigh(s, union);
                }
                s.Jobsets = union;
                changed = true;
            }
            if (item.BuildId < s.LowestBuildId)
            {
                s.LowestBuildId = item.BuildId;
                changed = true;
            }
            if (item.Cp > s.CriticalPath)
            {
                s.CriticalPath = item.Cp;
                changed = true;
            }
            if (!changed)
            {
                continue;
            }
            if (s.State == StepState.Runnable)
            {
                s.Version++;
                s.Kind.Push(s);
            }
            foreach (var dep in s.Deps)
            {
                stack.Push((dep, s.GlobalPriority, s.Priority, s.Jobsets, s.LowestBuildId, s.CriticalPath + 1));
            }
        }
    }

    private void Reweigh(Step s, JobsetGroup union)
    {
        var a = s.Running!;
        var oldWeight = 1.0 / Math.Max(1, s.Jobsets.Jobsets.Length);
        foreach (var id in s.Jobsets.Jobsets)
        {
            accounts[id].Ended(oldWeight, a.StartedAt, a.StartedAt, options.ShareHalfLife);
        }
        var newWeight = 1.0 / Math.Max(1, union.Jobsets.Length);
        foreach (var id in union.Jobsets)
        {
            accounts[id].Started(newWeight, a.StartedAt);
        }
    }

    private JobsetGroup Union(JobsetGroup a, JobsetGroup b)
    {
        if (ReferenceEquals(a, b) || b.Jobsets.Length == 0)
        {
            return a;
        }
        if (b.Jobsets.All(j => Array.BinarySearch(a.Jobsets, j) >= 0))
        {
            return a;
        }
        var merged = a.Jobsets.Union(b.Jobsets).Order().ToArray();
        var key = string.Join(',', merged);
        if (!groups.TryGetValue(key, out var group))
        {
            group = new JobsetGroup(merged);
            groups[key] = group;
        }
        return group;
    }

    private JobsetGroup Group(JobsetGroup group, long jobsetId)
    {
        var key = jobsetId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!groups.TryGetValue(key, out var single))
        {
            single = new JobsetGroup([jobsetId]);
            groups[key] = single;
        }
        return Union(group, single);
    }

    private JobsetAccount Account(long jobsetId, int shares)
    {
        if (!accounts.TryGetValue(jobsetId, out var account))
        {
            account = new JobsetAccount(jobsetId, shares, time.GetUtcNow());
            accounts[jobsetId] = account;
        }
        return account;
    }

    private StepKind Kind(string system, IReadOnlyList<string> features)
    {
        var key = StepKind.KeyOf(system, features);
        if (!kinds.TryGetValue(key, out var kind))
        {
            kind = new StepKind(system, [.. features]);
            foreach (var machine in machines.Values)
            {
                if (MachineMatching.Serves(machine.Spec, system, features))
                {
                    kind.Machines.Add(machine);
                }
            }
            kinds[key] = kind;
        }
        return kind;
    }

    // ---- views ----

    /// <summary>Every live step (waiting, runnable, in backoff, running).</summary>
    public IReadOnlyList<StepView> Steps() =>
        [.. steps.Values.OrderBy(s => s.Index).Select(s => new StepView(s.Drv.Path, s.Drv.System, s.Drv.RequiredFeatures, s.State.ToString(),
            s.GlobalPriority, s.Priority, s.Jobsets.Jobsets, s.CriticalPath, s.LowestBuildId, s.Attempts, s.Running?.Machine))];

    public IReadOnlyList<MachineView> Machines() =>
        [.. machines.Values.OrderBy(m => m.Spec.Name, StringComparer.Ordinal).Select(m => new MachineView(m.Spec, m.Running.Count, m.Pressure, m.StepsDone))];
}
