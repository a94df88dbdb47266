using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Vigil.Data.Farm;
using Vigil.Farm.Recording;
using Vigil.Farm.Scheduling;
using Vigil.Protocol.V1;
using Vigil.Store;

namespace Vigil.Farm.Grpc;

/// <summary>
/// The server side of the farm protocol, apart from the wire: builders joining and resuming
/// (<see cref="BuilderSession"/>s, registered with the <see cref="QueueRunner"/> and the
/// <c>machines</c> table), step progress, logs and results (acknowledged only once stored), the
/// liveness sweep (a builder silent past the timeout is lost and its steps requeued) and the
/// graceful stop (drain, let running steps finish up to a deadline, then abort them).
/// </summary>
public sealed partial class FarmHub(
    QueueRunner runner,
    FarmBatchWriter writer,
    FarmDatabase farm,
    NixStoreClient store,
    StepLogStore logs,
    FarmServerOptions options,
    TimeProvider time,
    ILogger logger)
{
    public const uint ProtocolRevision = 1;

    private readonly ConcurrentDictionary<string, BuilderSession> sessions = new(StringComparer.Ordinal);
    private volatile bool draining;

    public NixStoreClient Store => store;

    public StepLogStore Logs => logs;

    public bool Draining => draining;

    /// <summary>Handles a Join: a Welcome and the session to use, or a rejection and none.</summary>
    public async Task<(Welcome Welcome, BuilderSession? Session)> JoinAsync(Join join, Channel<ServerMessage> outbox, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(join);
        string? rejection = null;
        if (join.ProtocolVersion < 1)
        {
            rejection = $"protocol revision {join.ProtocolVersion} is not supported (this server speaks vigil.farm.v1 revision {ProtocolRevision})";
        }
        else if (!string.Equals(join.StoreDir, store.StoreDir, StringComparison.Ordinal))
        {
            rejection = $"the builder's store dir {join.StoreDir} differs from the server's {store.StoreDir}";
        }
        else if (string.IsNullOrWhiteSpace(join.BuilderId) || join.MaxJobs == 0 || join.Systems.Count == 0)
        {
            rejection = "a builder needs an id, at least one system and at least one job slot";
        }
        if (rejection is not null)
        {
            LogRejected(logger, join.BuilderId, rejection);
            return (new Welcome { Accepted = false, RejectionReason = rejection }, null);
        }
        var now = time.GetUtcNow();
        // First, before any state changes: when the database is down the join fails as a whole and
        // the builder's retry finds everything as it was (a session registered here but never
        // given to the runner would be "resumed" and never get steps).
        await farm.UpsertMachineAsync(new MachineRecord(join.BuilderId, [.. join.Systems], [.. join.SupportedFeatures], [.. join.MandatoryFeatures], (int)join.MaxJobs, 1.0, true, now), cancellationToken).ConfigureAwait(false);
        var resumed = sessions.TryGetValue(join.BuilderId, out var session) && !session.Lost;
        if (!resumed)
        {
            session = new BuilderSession(join.BuilderId, this);
            sessions[join.BuilderId] = session;
        }
        session!.Seen(now);
        session.Attach(outbox, join);
        if (!resumed)
        {
            runner.AddMachine(new MachineSpec(join.BuilderId, [.. join.Systems], [.. join.SupportedFeatures], [.. join.MandatoryFeatures], (int)join.MaxJobs), session);
        }
        LogJoined(logger, join.BuilderId, string.Join(',', join.Systems), join.MaxJobs, resumed);
        var welcome = new Welcome
        {
            Accepted = true,
            ProtocolVersion = Math.Min(join.ProtocolVersion, ProtocolRevision),
            ServerVersion = options.ServerVersion,
            HeartbeatIntervalSeconds = (uint)Math.Max(1, options.Heartbeat.TotalSeconds),
            Resumed = resumed,
        };
        if (draining)
        {
            session.Send(new ServerMessage { Drain = new Drain() });
        }
        return (welcome, session);
    }

    /// <summary>The BuildRequest of an assignment, or null (and the step aborted) when its inputs cannot be listed.</summary>
    public async Task<BuildRequest?> RequestForAsync(StepAssignment assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        if (draining)
        {
            runner.Complete(new StepResult(assignment.Id, StepOutcome.Aborted, "the server is stopping"));
            return null;
        }
        try
        {
            var inputs = await store.QueryBuildInputsAsync(assignment.DrvPath, CancellationToken.None).ConfigureAwait(false);
            return new BuildRequest
            {
                StepId = BuilderSession.StepId(assignment),
                DrvPath = assignment.DrvPath,
                Inputs = { inputs },
                TimeoutSeconds = (uint)Math.Max(0, assignment.Timeout),
                MaxSilentSeconds = (uint)Math.Max(0, assignment.MaxSilent),
                RequiredFeatures = { assignment.RequiredFeatures },
            };
        }
        catch (Exception e) when (e is StoreException or IOException or System.ComponentModel.Win32Exception)
        {
            LogInputsFailed(logger, e, assignment.DrvPath);
            runner.Complete(new StepResult(assignment.Id, StepOutcome.Aborted, "cannot list the inputs of " + assignment.DrvPath + ": " + e.Message));
            return null;
        }
    }

    public void Heartbeat(BuilderSession session, Heartbeat heartbeat)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(heartbeat);
        // CPU pressure where the kernel reports it, else load per core (MachineLoad's scale).
        var pressure = heartbeat.CpuPressure is { } cpu ? cpu.SomeAvg10 : heartbeat.Load1 * 100 / Math.Max(1, Environment.ProcessorCount);
        runner.ReportLoad(session.Name, new MachineLoad(pressure, time.GetUtcNow()));
    }

    public void Started(BuilderSession session, StepStarted started)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(started);
        if (session.Find(started.StepId) is { } a)
        {
            writer.Step(new BuildStepRecord(a.BuildId, a.StepNr, a.DrvPath, a.System, a.Machine, StepPhase.Building, null, null, a.StartedAt, null, a.Attempt, null));
        }
    }

    public void Log(BuilderSession session, LogChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(chunk);
        if (session.Find(chunk.StepId) is { } a)
        {
            logs.Append(a.BuildId, a.StepNr, chunk.Offset, chunk.Data.Span);
        }
    }

    /// <summary>
    /// Records a result and returns once it is stored, so the caller may acknowledge it. A result
    /// for a step this session no longer has (already recorded, aborted, requeued) is a no-op.
    /// </summary>
    public async Task FinishAsync(BuilderSession session, StepFinished finished, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(finished);
        if (session.Find(finished.StepId) is not { } a || !session.Forget(finished.StepId))
        {
            return;
        }
        // Completed first, before anything that can fail (the log file, the database): a result
        // forgotten but never completed would hold its slot forever, since the builder's re-report
        // after a reconnect finds no step and is only acknowledged.
        var outcome = Outcome(finished.Status);
        var error = outcome == StepOutcome.Succeeded ? null : (string.IsNullOrEmpty(finished.ErrorMessage) ? finished.Status.ToString() : finished.ErrorMessage);
        var at = finished.FinishedAtUnixMs > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(finished.FinishedAtUnixMs) : time.GetUtcNow();
        runner.Complete(new StepResult(a.Id, outcome, error, at));
        var size = logs.Close(a.BuildId, a.StepNr);
        if (size > 0)
        {
            writer.Log(new BuildLogRecord(a.BuildId, a.StepNr, a.DrvPath, logs.PathOf(a.BuildId, a.StepNr), size, "none"));
        }
        // The runner applies commands in order: once this query is answered the result went to the writer.
        await runner.QueryAsync(_ => true).ConfigureAwait(false);
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        LogFinished(logger, finished.StepId, a.DrvPath, session.Name, outcome);
    }

    public static StepOutcome Outcome(StepStatus status) => status switch
    {
        StepStatus.Success => StepOutcome.Succeeded,
        StepStatus.BuildFailure => StepOutcome.BuildFailure,
        StepStatus.Timeout or StepStatus.MaxSilent => StepOutcome.TimedOut,
        StepStatus.LogLimit => StepOutcome.LogLimitExceeded,
        StepStatus.OutputLimit => StepOutcome.OutputLimitExceeded,
        StepStatus.Transient => StepOutcome.TransientFailure,
        _ => StepOutcome.Aborted,
    };

    /// <summary>Declares builders silent past the liveness timeout lost: their slots go, their steps are requeued.</summary>
    public int Sweep()
    {
        var now = time.GetUtcNow();
        var lost = 0;
        foreach (var session in sessions.Values)
        {
            if (!session.Lost && now - session.LastSeen > options.LivenessTimeout)
            {
                session.Lost = true;
                sessions.TryRemove(new KeyValuePair<string, BuilderSession>(session.Name, session));
                runner.RemoveMachine(session.Name);
                LogLost(logger, session.Name, (now - session.LastSeen).TotalSeconds);
                lost++;
            }
        }
        return lost;
    }

    public async Task RunSweeperAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(0.2, options.LivenessTimeout.TotalSeconds / 10)), time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                Sweep();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// The graceful stop: no new steps, builders told to drain; running steps may finish until
    /// <paramref name="grace"/> has passed, then they are aborted (and requeued at the next start).
    /// </summary>
    public async Task StopAsync(TimeSpan grace)
    {
        // Before anything ends a step: an aborted step must go back to the queue, not be
        // dispatched again (and aborted again) until its retries are used up.
        await runner.StopDispatchingAsync().ConfigureAwait(false);
        draining = true;
        foreach (var session in sessions.Values)
        {
            session.Send(new ServerMessage { Drain = new Drain() });
        }
        var deadline = time.GetUtcNow() + grace;
        while (time.GetUtcNow() < deadline && sessions.Values.Any(s => !s.Lost && s.RunningStepIds.Count > 0))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), time).ConfigureAwait(false);
        }
        foreach (var session in sessions.Values)
        {
            foreach (var stepId in session.RunningStepIds.ToList())
            {
                if (session.Find(stepId) is { } a && session.Forget(stepId))
                {
                    session.Send(new ServerMessage { Abort = new Protocol.V1.Abort { StepId = stepId, Reason = "the server is stopping" } });
                    runner.Complete(new StepResult(a.Id, StepOutcome.Aborted, "the server stopped before the step finished"));
                }
            }
        }
        await runner.QueryAsync(_ => true).ConfigureAwait(false);
        await writer.FlushAsync().ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "builder {BuilderId} rejected: {Reason}")]
    private static partial void LogRejected(ILogger logger, string builderId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "builder {BuilderId} joined ({Systems}, {MaxJobs} slots, resumed: {Resumed})")]
    private static partial void LogJoined(ILogger logger, string builderId, string systems, uint maxJobs, bool resumed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "builder {BuilderId} lost: silent for {Seconds:F0} s; its steps are requeued")]
    private static partial void LogLost(ILogger logger, string builderId, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "cannot list the inputs of {DrvPath}")]
    private static partial void LogInputsFailed(ILogger logger, Exception exception, string drvPath);

    [LoggerMessage(Level = LogLevel.Information, Message = "step {StepId} ({DrvPath}) on {BuilderId}: {Outcome}")]
    private static partial void LogFinished(ILogger logger, string stepId, string drvPath, string builderId, StepOutcome outcome);
}
