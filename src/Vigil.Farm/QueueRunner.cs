using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Vigil.Data.Farm;
using Vigil.Farm.Execution;
using Vigil.Farm.Graph;
using Vigil.Farm.Recording;
using Vigil.Farm.Scheduling;
using Vigil.Store;

namespace Vigil.Farm;

/// <summary>
/// The queue runner's engine: one loop owns the <see cref="SchedulerCore"/> and applies everything
/// that happens to it (builds walked, results, machines, cancellations, bumps) in arrival order,
/// taking all that is queued at once and then dispatching once. Closure walks run beside it on the
/// thread pool; results are stored by the recorder in batches. Nothing on the loop waits for the
/// database or a builder.
/// </summary>
public sealed partial class QueueRunner : IStepDispatcher, IAsyncDisposable
{
    private readonly Channel<Action> commands = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<QueuedBuild> walks = Channel.CreateUnbounded<QueuedBuild>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, IBuildExecutor> executors = new(StringComparer.Ordinal);
    private readonly List<TaskCompletionSource> idleWaiters = [];
    private readonly SchedulerCore core;
    private readonly StepExpander expander;
    private readonly IFarmRecorder recorder;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task loop;
    private readonly Task walker;
    private ITimer? wakeTimer;
    private DateTimeOffset? wakeAt;
    private int pendingWalks;

    public QueueRunner(SchedulerOptions options, IDrvSource source, IOutputOracle oracle, IFailedPathSource? failedPaths, IFarmRecorder recorder, TimeProvider time, Random random, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        this.recorder = recorder;
        this.time = time;
        this.logger = logger;
        core = new SchedulerCore(options, time, random, recorder, this);
        expander = new StepExpander(source, oracle, failedPaths, core.Marks);
        loop = Task.Run(RunAsync);
        walker = Task.Run(WalkAsync);
    }

    public void AddMachine(MachineSpec spec, IBuildExecutor executor)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(executor);
        Post(() =>
        {
            executors[spec.Name] = executor;
            core.AddMachine(spec);
        });
    }

    public void RemoveMachine(string name) => Post(() =>
    {
        core.RemoveMachine(name);
        executors.Remove(name);
    });

    public void ReportLoad(string name, MachineLoad load) => Post(() => core.ReportLoad(name, load));

    /// <summary>A builder's report; safe from any thread.</summary>
    public void Complete(StepResult result) => Post(() => core.Complete(result));

    /// <summary>The graceful stop's first move: nothing is dispatched from now on (see <see cref="SchedulerCore.Stopping"/>).</summary>
    public Task StopDispatchingAsync() => QueryAsync(core =>
    {
        core.StopDispatching();
        return true;
    });

    public void Cancel(long buildId) => Post(() => core.CancelBuild(buildId));

    public void Bump(long buildId, int globalPriority) => Post(() => core.BumpBuild(buildId, globalPriority));

    public void SetShares(long jobsetId, int shares) => Post(() => core.SetJobsetShares(jobsetId, shares));

    /// <summary>Takes up a queued build: its closure is walked (off the loop), then its steps go to the scheduler.</summary>
    public void Submit(QueuedBuild build)
    {
        ArgumentNullException.ThrowIfNull(build);
        Interlocked.Increment(ref pendingWalks);
        if (!walks.Writer.TryWrite(build))
        {
            throw new ObjectDisposedException(nameof(QueueRunner));
        }
    }

    /// <summary>
    /// Walks builds one at a time, each attached before the next is walked: a later build's walk
    /// then stops at the steps an earlier one created, so a closure shared by thousands of builds
    /// is walked once, not once per build (walks in parallel would all walk it whole).
    /// </summary>
    private async Task WalkAsync()
    {
        var reader = walks.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var build))
            {
                try
                {
                    while (true)
                    {
                        var fragment = await expander.ExpandAsync(build.DrvPath, stopping.Token).ConfigureAwait(false);
                        var attached = new TaskCompletionSource<AttachOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
                        Post(() => attached.SetResult(core.AddBuild(build, fragment)));
                        if (await attached.Task.ConfigureAwait(false) != AttachOutcome.Stale)
                        {
                            break;
                        }
                    }
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (StoreException ex)
                {
                    // Hydra's rule: a build whose derivations cannot be read (garbage-collected) is aborted.
                    LogWalkFailed(logger, ex, build.Id, build.DrvPath);
                    Post(() =>
                    {
                        var now = time.GetUtcNow();
                        recorder.Step(new BuildStepRecord(build.Id, build.LastStepNr + 1, build.DrvPath, build.System, "", StepPhase.Done, BuildStatus.Aborted, ex.Message, now, now, 0, null));
                        recorder.BuildFinished(new BuildFinish(build.Id, BuildStatus.Aborted, false, now, now), []);
                    });
                }
                catch (Exception ex) when (ex is Vigil.Data.VigilDatabaseException or IOException)
                {
                    // The failed-path lookup could not reach the database: try this build again shortly.
                    LogWalkFailed(logger, ex, build.Id, build.DrvPath);
                    await Task.Delay(TimeSpan.FromSeconds(1), time).ConfigureAwait(false);
                    Interlocked.Increment(ref pendingWalks);
                    walks.Writer.TryWrite(build);
                }
                finally
                {
                    Interlocked.Decrement(ref pendingWalks);
                    Post(() => { });
                }
            }
        }
    }

    /// <summary>Reads the scheduler on its own thread (stats, views).</summary>
    public Task<T> QueryAsync<T>(Func<SchedulerCore, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() => done.SetResult(read(core)));
        return done.Task;
    }

    /// <summary>Completes when no build is queued or being walked.</summary>
    public Task WhenIdleAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() => idleWaiters.Add(done));
        return done.Task;
    }

    void IStepDispatcher.Start(StepAssignment assignment) => executors[assignment.Machine].Start(assignment);

    void IStepDispatcher.Abort(StepAssignment assignment)
    {
        if (executors.TryGetValue(assignment.Machine, out var executor))
        {
            executor.Abort(assignment);
        }
    }

    private void Post(Action command)
    {
        if (!commands.Writer.TryWrite(command))
        {
            throw new ObjectDisposedException(nameof(QueueRunner));
        }
    }

    private async Task RunAsync()
    {
        var reader = commands.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var command))
            {
                try
                {
                    command();
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // One bad report must not stop the farm.
                    LogCommandFailed(logger, ex);
                }
            }
            core.Dispatch();
            if (idleWaiters.Count > 0 && core.UnfinishedBuilds == 0 && Volatile.Read(ref pendingWalks) == 0)
            {
                foreach (var waiter in idleWaiters)
                {
                    waiter.TrySetResult();
                }
                idleWaiters.Clear();
            }
            ScheduleWakeUp(core.NextWakeUp);
        }
    }

    private void ScheduleWakeUp(DateTimeOffset? next)
    {
        if (next == wakeAt)
        {
            return;
        }
        wakeAt = next;
        wakeTimer?.Dispose();
        wakeTimer = null;
        if (next is { } at)
        {
            var due = at - time.GetUtcNow();
            wakeTimer = time.CreateTimer(_ => commands.Writer.TryWrite(() => wakeAt = null), null, due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        walks.Writer.TryComplete();
        await walker.ConfigureAwait(false);
        commands.Writer.TryComplete();
        await loop.ConfigureAwait(false);
        wakeTimer?.Dispose();
        stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "cannot walk the closure of build {BuildId} ({DrvPath}); the build is aborted")]
    private static partial void LogWalkFailed(ILogger logger, Exception exception, long buildId, string drvPath);

    [LoggerMessage(Level = LogLevel.Error, Message = "a queue runner command failed")]
    private static partial void LogCommandFailed(ILogger logger, Exception exception);
}
