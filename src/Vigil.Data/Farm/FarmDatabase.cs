namespace Vigil.Data.Farm;

/// <summary>
/// The build farm's tables (schema v7, v8: check intervals): projects, jobsets, evaluations, builds, build steps, build
/// outputs, failed paths, machines and the logs index. Reached through <see cref="VigilDatabase.Farm"/>.
/// The queue runner reads new builds by id (<see cref="ListQueuedBuildsAsync"/>), never rescanning
/// the whole queue, and writes what happened in batches (<see cref="WriteAsync"/>), never a round
/// trip per step.
/// </summary>
public abstract class FarmDatabase
{
    /// <summary>Creates a project, or returns the id of the one with that name.</summary>
    public abstract Task<long> AddProjectAsync(string name, string description = "", CancellationToken cancellationToken = default);

    /// <summary>Creates a jobset (its project too, when new); a jobset of that name in that project is an error.</summary>
    public abstract Task<JobsetRecord> AddJobsetAsync(JobsetSpec spec, CancellationToken cancellationToken = default);

    public abstract Task<JobsetRecord?> FindJobsetAsync(string project, string name, CancellationToken cancellationToken = default);

    public abstract Task<IReadOnlyList<JobsetRecord>> ListJobsetsAsync(CancellationToken cancellationToken = default);

    /// <summary>Sets a jobset's scheduling shares (&gt; 0) and announces it to the queue runner.</summary>
    public abstract Task SetSchedulingSharesAsync(long jobsetId, int shares, CancellationToken cancellationToken = default);

    /// <summary>Sets how often the server evaluates a jobset (seconds, 0: only on demand); false when there is no such jobset.</summary>
    public abstract Task<bool> SetCheckIntervalAsync(long jobsetId, int seconds, CancellationToken cancellationToken = default);

    /// <summary>
    /// The enabled jobsets with a check interval whose last check is at least that long before
    /// <paramref name="now"/> (or that were never checked): never-checked first, then the longest
    /// waiting. A check is any evaluation, whatever came of it (<see cref="JobsetRecord.LastCheckedAt"/>).
    /// </summary>
    public abstract Task<IReadOnlyList<JobsetRecord>> ListDueJobsetsAsync(DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Stores an evaluation with its builds (see the overload) without a jobs hash or revision.</summary>
    public Task<EvaluationRecord> AddEvaluationAsync(long jobsetId, IReadOnlyList<NewBuild> builds, CancellationToken cancellationToken = default) =>
        AddEvaluationAsync(jobsetId, builds, null, null, cancellationToken);

    /// <summary>
    /// Stores an evaluation and queues one build per job, in one transaction, marks the jobset
    /// checked, then announces the new builds (PostgreSQL: <c>NOTIFY vigil_builds_added</c> with the
    /// lowest new id). <paramref name="jobsHash"/> identifies the evaluation's job → drv path pairs
    /// (to tell the next one unchanged), <paramref name="revision"/> names the scan revision of its FODs.
    /// </summary>
    public abstract Task<EvaluationRecord> AddEvaluationAsync(long jobsetId, IReadOnlyList<NewBuild> builds, string? jobsHash, string? revision, CancellationToken cancellationToken);

    /// <summary>Stores an evaluation that failed (no jobs, its error) and marks the jobset checked, so it is retried at the next interval.</summary>
    public abstract Task<EvaluationSummary> AddFailedEvaluationAsync(long jobsetId, string error, CancellationToken cancellationToken = default);

    /// <summary>Marks a jobset checked now without storing an evaluation: its evaluation was unchanged (Hydra does the same).</summary>
    public abstract Task MarkJobsetCheckedAsync(long jobsetId, CancellationToken cancellationToken = default);

    /// <summary>A jobset's evaluations, newest first, at most <paramref name="limit"/>.</summary>
    public abstract Task<IReadOnlyList<EvaluationSummary>> ListEvaluationsAsync(long jobsetId, int limit, CancellationToken cancellationToken = default);

    /// <summary>Unfinished builds with an id above <paramref name="afterId"/>, lowest id first, at most <paramref name="limit"/>.</summary>
    public abstract Task<IReadOnlyList<QueuedBuild>> ListQueuedBuildsAsync(long afterId, int limit, CancellationToken cancellationToken = default);

    public abstract Task<BuildRecord?> FindBuildAsync(long buildId, CancellationToken cancellationToken = default);

    /// <summary>The builds of an evaluation, by id.</summary>
    public abstract Task<IReadOnlyList<BuildRecord>> ListBuildsAsync(long evaluationId, CancellationToken cancellationToken = default);

    /// <summary>Every build of a jobset (null: of all jobsets), oldest first.</summary>
    public abstract Task<IReadOnlyList<BuildRecord>> ListJobsetBuildsAsync(long? jobsetId, CancellationToken cancellationToken = default);

    /// <summary>The step rows filed under a build, by step number.</summary>
    public abstract Task<IReadOnlyList<BuildStepRecord>> ListStepsAsync(long buildId, CancellationToken cancellationToken = default);

    public abstract Task<IReadOnlyList<BuildOutputRecord>> ListOutputsAsync(long buildId, CancellationToken cancellationToken = default);

    /// <summary>Stores a batch of what the queue runner did, in one transaction (one statement per table on PostgreSQL).</summary>
    public abstract Task WriteAsync(FarmBatch batch, CancellationToken cancellationToken = default);

    /// <summary>Those of <paramref name="paths"/> recorded as failed.</summary>
    public abstract Task<IReadOnlyList<FailedPathRecord>> FindFailedPathsAsync(IReadOnlyCollection<string> paths, CancellationToken cancellationToken = default);

    /// <summary>Forgets failed paths (a restart of those builds); returns how many rows went.</summary>
    public abstract Task<int> ClearFailedPathsAsync(IReadOnlyCollection<string> paths, CancellationToken cancellationToken = default);

    /// <summary>Cancels an unfinished build (Hydra status 4) and announces it; false when it was not queued.</summary>
    public abstract Task<bool> CancelBuildAsync(long buildId, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Raises an unfinished build's global priority and announces it; false when it was not queued.</summary>
    public abstract Task<bool> BumpBuildAsync(long buildId, int globalPriority, CancellationToken cancellationToken = default);

    /// <summary>
    /// At queue-runner start: every step row still busy belongs to a run that is gone, so it becomes
    /// Aborted (Hydra's <c>clear_busy</c>). Returns how many rows changed.
    /// </summary>
    public abstract Task<int> AbortBusyStepsAsync(DateTimeOffset at, CancellationToken cancellationToken = default);

    public abstract Task UpsertMachineAsync(MachineRecord machine, CancellationToken cancellationToken = default);

    public abstract Task<IReadOnlyList<MachineRecord>> ListMachinesAsync(CancellationToken cancellationToken = default);

    public abstract Task<BuildLogRecord?> FindLogAsync(long buildId, int stepNr, CancellationToken cancellationToken = default);

    /// <summary>Starts listening for queue changes (see <see cref="FarmQueueListener"/>).</summary>
    public abstract Task<FarmQueueListener> ListenAsync(CancellationToken cancellationToken = default);
}
