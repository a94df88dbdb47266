using System.Data.Common;
using System.Globalization;
using Vigil.Data.Farm;

namespace Vigil.Data;

/// <summary>
/// The build farm's tables (schema v7), shared by both dialects. The dialects supply the bulk paths
/// (SQLite: prepared statements in one transaction; PostgreSQL: one multi-row statement per table
/// from arrays) and the notifications (PostgreSQL <c>NOTIFY</c>/<c>LISTEN</c>; SQLite in-process).
/// </summary>
internal abstract partial class SqlVigilDatabase
{
    internal const string BuildsAddedChannel = "vigil_builds_added";
    internal const string BuildCancelledChannel = "vigil_build_cancelled";
    internal const string BuildBumpedChannel = "vigil_build_bumped";
    internal const string SharesChannel = "vigil_jobset_shares";

    private const string JobsetSelect =
        "SELECT j.id, j.project_id, p.name, j.name, j.expr_file, j.attr, j.scheduling_shares, j.priority, j.enabled, j.check_interval, j.last_checked_at FROM jobsets j JOIN projects p ON p.id = j.project_id";

    private const string EvaluationColumns = "id, jobset_id, created_at, build_count, error, jobs_hash, revision";

    private const string BuildColumns =
        "id, evaluation_id, jobset_id, job, drv_path, system, priority, global_priority, finished, build_status, is_cached_build, queued_at, start_time, stop_time";

    internal const string StepColumns =
        "build_id, step_nr, type, drv_path, system, machine, busy, status, error_msg, start_time, stop_time, attempt, propagated_from";

    private FarmDatabase? farm;

    public override FarmDatabase Farm => farm ??= new SqlFarmDatabase(this);

    /// <summary>Inserts the builds of an evaluation inside <paramref name="transaction"/> and returns their ids in order.</summary>
    protected abstract Task<long[]> InsertBuildsAsync(DbConnection connection, DbTransaction transaction, long evaluationId, long jobsetId, int defaultPriority, IReadOnlyList<NewBuild> builds, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Writes every part of a batch inside <paramref name="transaction"/>.</summary>
    protected abstract Task WriteFarmBatchAsync(DbConnection connection, DbTransaction transaction, FarmBatch batch, CancellationToken cancellationToken);

    /// <summary>Announces inside the transaction (delivered at commit): PostgreSQL's <c>pg_notify</c>; nothing on SQLite.</summary>
    protected abstract Task NotifyInTransactionAsync(DbConnection connection, DbTransaction transaction, string channel, string payload, CancellationToken cancellationToken);

    /// <summary>Announces after commit to listeners of this process (SQLite); nothing on PostgreSQL, whose server delivers.</summary>
    protected abstract void NotifyAfterCommit(QueueNotification notification);

    protected abstract Task<FarmQueueListener> ListenFarmAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The dialect's condition "jobset j was last checked at least its check interval before @now"
    /// (times are microseconds on SQLite, timestamptz on PostgreSQL).
    /// </summary>
    protected abstract string CheckedLongAgoCondition { get; }

    internal static QueueNotification? ParseNotification(string channel, string payload)
    {
        var tab = payload.IndexOf('\t', StringComparison.Ordinal);
        if (!long.TryParse(tab < 0 ? payload : payload[..tab], NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
        {
            return null;
        }
        var value = 0;
        if (tab >= 0 && !int.TryParse(payload.AsSpan(tab + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out value))
        {
            return null;
        }
        QueueNotificationKind? kind = channel switch
        {
            BuildsAddedChannel => QueueNotificationKind.BuildsAdded,
            BuildCancelledChannel => QueueNotificationKind.BuildCancelled,
            BuildBumpedChannel => QueueNotificationKind.BuildBumped,
            SharesChannel => QueueNotificationKind.SharesChanged,
            _ => null,
        };
        return kind is { } k ? new QueueNotification(k, id, value) : null;
    }

    private static string Payload(long id, int? value = null) =>
        value is { } v ? string.Create(CultureInfo.InvariantCulture, $"{id}\t{v}") : id.ToString(CultureInfo.InvariantCulture);

    private JobsetRecord ReadJobset(DbDataReader r) => new(
        r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4), NullableString(r, 5), r.GetInt32(6), r.GetInt32(7), r.GetInt32(8) != 0,
        r.GetInt32(9), r.IsDBNull(10) ? null : ReadTime(r, 10));

    private EvaluationSummary ReadEvaluation(DbDataReader r) => new(
        r.GetInt64(0), r.GetInt64(1), ReadTime(r, 2), r.GetInt32(3), NullableString(r, 4), NullableString(r, 5), NullableString(r, 6));

    private BuildRecord ReadBuild(DbDataReader r) => new(
        r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetInt32(6), r.GetInt32(7),
        r.GetInt32(8) != 0, r.IsDBNull(9) ? null : (BuildStatus)r.GetInt32(9), r.GetInt32(10) != 0, ReadTime(r, 11),
        r.IsDBNull(12) ? null : ReadTime(r, 12), r.IsDBNull(13) ? null : ReadTime(r, 13));

    private BuildStepRecord ReadStep(DbDataReader r) => new(
        r.GetInt64(0), r.GetInt32(1), r.GetString(3), r.GetString(4), r.GetString(5), (StepPhase)r.GetInt32(6),
        r.IsDBNull(7) ? null : (BuildStatus)r.GetInt32(7), NullableString(r, 8), r.IsDBNull(9) ? null : ReadTime(r, 9),
        r.IsDBNull(10) ? null : ReadTime(r, 10), r.GetInt32(11), r.IsDBNull(12) ? null : r.GetInt64(12));

    /// <summary>Time as stored: microseconds, so that what is written reads back equal on both dialects.</summary>
    internal static DateTimeOffset ToMicroseconds(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return new DateTimeOffset(utc.UtcTicks - (utc.UtcTicks % 10), TimeSpan.Zero);
    }

    /// <summary>The farm's view of one database; every call is one connection and, when it writes, one transaction.</summary>
    private sealed class SqlFarmDatabase(SqlVigilDatabase db) : FarmDatabase
    {
        public override Task<long> AddProjectAsync(string name, string description = "", CancellationToken cancellationToken = default)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            ArgumentNullException.ThrowIfNull(description);
            return db.GuardAsync($"adding project '{name}'", async ct =>
            {
                await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
                await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                var id = await AddProjectAsync(connection, tx, name, description, ct).ConfigureAwait(false);
                await tx.CommitAsync(ct).ConfigureAwait(false);
                return id;
            }, cancellationToken);
        }

        private async Task<long> AddProjectAsync(DbConnection connection, DbTransaction tx, string name, string description, CancellationToken ct)
        {
            // DO UPDATE (a no-op) rather than DO NOTHING, so that RETURNING gives the existing row's id too.
            return await connection.ExecuteInt64Async(
                "INSERT INTO projects (name, description, created_at) VALUES (@name, @description, @at) ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id",
                tx, ct, ("name", name), ("description", description), ("at", db.ToDbTime(Now()))).ConfigureAwait(false);
        }

        public override Task<JobsetRecord> AddJobsetAsync(JobsetSpec spec, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(spec);
            ArgumentException.ThrowIfNullOrEmpty(spec.Project);
            ArgumentException.ThrowIfNullOrEmpty(spec.Name);
            ArgumentException.ThrowIfNullOrEmpty(spec.ExprFile);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(spec.SchedulingShares);
            ArgumentOutOfRangeException.ThrowIfNegative(spec.CheckInterval);
            return db.GuardAsync($"adding jobset '{spec.Project}:{spec.Name}'", async ct =>
            {
                await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
                await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                var projectId = await AddProjectAsync(connection, tx, spec.Project, "", ct).ConfigureAwait(false);
                var exists = await connection.ExecuteInt64Async("SELECT COUNT(*) FROM jobsets WHERE project_id = @p AND name = @n", tx, ct,
                    ("p", projectId), ("n", spec.Name)).ConfigureAwait(false);
                if (exists > 0)
                {
                    throw new VigilDatabaseException(db.Description, $"jobset '{spec.Project}:{spec.Name}' already exists");
                }
                var id = await connection.ExecuteInt64Async(
                    """
                    INSERT INTO jobsets (project_id, name, expr_file, attr, scheduling_shares, priority, enabled, created_at, check_interval)
                    VALUES (@p, @n, @expr, @attr, @shares, @priority, 1, @at, @interval) RETURNING id
                    """, tx, ct,
                    ("p", projectId), ("n", spec.Name), ("expr", spec.ExprFile), ("attr", spec.Attr), ("shares", spec.SchedulingShares),
                    ("priority", spec.Priority), ("at", db.ToDbTime(Now())), ("interval", spec.CheckInterval)).ConfigureAwait(false);
                await tx.CommitAsync(ct).ConfigureAwait(false);
                return new JobsetRecord(id, projectId, spec.Project, spec.Name, spec.ExprFile, spec.Attr, spec.SchedulingShares, spec.Priority, true, spec.CheckInterval);
            }, cancellationToken);
        }

        public override async Task<JobsetRecord?> FindJobsetAsync(string project, string name, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(project);
            ArgumentNullException.ThrowIfNull(name);
            var found = await db.QueryListAsync($"finding jobset '{project}:{name}'", $"{JobsetSelect} WHERE p.name = @p AND j.name = @n",
                db.ReadJobset, cancellationToken, ("p", project), ("n", name)).ConfigureAwait(false);
            return found.Count == 0 ? null : found[0];
        }

        public override Task<IReadOnlyList<JobsetRecord>> ListJobsetsAsync(CancellationToken cancellationToken = default) =>
            db.QueryListAsync("listing jobsets", $"{JobsetSelect} ORDER BY p.name, j.name", db.ReadJobset, cancellationToken);

        public override Task SetSchedulingSharesAsync(long jobsetId, int shares, CancellationToken cancellationToken = default)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shares);
            return WriteAndNotifyAsync("setting scheduling shares", "UPDATE jobsets SET scheduling_shares = @v WHERE id = @id",
                [("v", shares), ("id", jobsetId)], new QueueNotification(QueueNotificationKind.SharesChanged, jobsetId, shares), SharesChannel, cancellationToken);
        }

        public override Task<bool> SetCheckIntervalAsync(long jobsetId, int seconds, CancellationToken cancellationToken = default)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(seconds);
            return db.GuardAsync("setting a check interval", async ct =>
            {
                await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
                return await connection.ExecuteCountAsync("UPDATE jobsets SET check_interval = @v WHERE id = @id", null, ct, ("v", seconds), ("id", jobsetId)).ConfigureAwait(false) > 0;
            }, cancellationToken);
        }

        public override Task<IReadOnlyList<JobsetRecord>> ListDueJobsetsAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
            db.QueryListAsync("listing jobsets due for evaluation",
                $"""
                {JobsetSelect}
                WHERE j.enabled <> 0 AND j.check_interval > 0 AND (j.last_checked_at IS NULL OR {db.CheckedLongAgoCondition})
                ORDER BY j.last_checked_at IS NOT NULL, j.last_checked_at, j.id
                """,
                db.ReadJobset, cancellationToken, ("now", db.ToDbTime(ToMicroseconds(now))));

        public override Task<EvaluationSummary> AddFailedEvaluationAsync(long jobsetId, string error, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(error);
            var now = ToMicroseconds(Now());
            return db.GuardAsync("recording a failed evaluation", async ct =>
            {
                await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
                await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                await MarkCheckedAsync(connection, tx, jobsetId, now, ct).ConfigureAwait(false);
                var id = await connection.ExecuteInt64Async(
                    "INSERT INTO evaluations (jobset_id, created_at, build_count, error) VALUES (@j, @at, 0, @error) RETURNING id", tx, ct,
                    ("j", jobsetId), ("at", db.ToDbTime(now)), ("error", error)).ConfigureAwait(false);
                await tx.CommitAsync(ct).ConfigureAwait(false);
                return new EvaluationSummary(id, jobsetId, now, 0, error, null, null);
            }, cancellationToken);
        }

        public override Task MarkJobsetCheckedAsync(long jobsetId, CancellationToken cancellationToken = default)
        {
            var now = ToMicroseconds(Now());
            return db.GuardAsync("marking a jobset checked", async ct =>
            {
                await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
                await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                await MarkCheckedAsync(connection, tx, jobsetId, now, ct).ConfigureAwait(false);
                await tx.CommitAsync(ct).ConfigureAwait(false);
                return true;
            }, cancellationToken);
        }

        /// <summary>Sets the jobset's last check; a jobset that is gone is an error (the caller's evaluation belongs to nothing).</summary>
        private async Task MarkCheckedAsync(DbConnection connection, DbTransaction tx, long jobsetId, DateTimeOffset now, CancellationToken ct)
        {
            if (await connection.ExecuteCountAsync("UPDATE jobsets SET last_checked_at = @at WHERE id = @id", tx, ct, ("at", db.ToDbTime(now)), ("id", jobsetId)).ConfigureAwait(false) == 0)
            {
                throw new VigilDatabaseException(db.Description, $"there is no jobset with id {jobsetId}");
            }
        }

        public override Task<IReadOnlyList<EvaluationSummary>> ListEvaluationsAsync(long jobsetId, int limit, CancellationToken cancellationToken = default)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
            return db.QueryListAsync("listing evaluations", $"SELECT {EvaluationColumns} FROM evaluations WHERE jobset_id = @j ORDER BY id DESC LIMIT @limit",
                db.ReadEvaluation, cancellationToken, ("j", jobsetId), ("limit", limit));
        }

        public override Task<EvaluationRecord> AddEvaluationAsync(long jobsetId, IReadOnlyList<NewBuild> builds, string? jobsHash, string? revision, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(builds);
            var now = ToMicroseconds(Now());
            return db.GuardAsync("adding an evaluation", async ct =>
            {
                await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
                await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                var jobset = await connection.QueryAsync("SELECT priority FROM jobsets WHERE id = @id", r => r.GetInt32(0), tx, ct, ("id", jobsetId)).ConfigureAwait(false);
                if (jobset.Count == 0)
                {
                    throw new VigilDatabaseException(db.Description, $"there is no jobset with id {jobsetId}");
                }
                await MarkCheckedAsync(connection, tx, jobsetId, now, ct).ConfigureAwait(false);
                var evaluationId = await connection.ExecuteInt64Async(
                    "INSERT INTO evaluations (jobset_id, created_at, build_count, jobs_hash, revision) VALUES (@j, @at, @n, @hash, @revision) RETURNING id", tx, ct,
                    ("j", jobsetId), ("at", db.ToDbTime(now)), ("n", builds.Count), ("hash", jobsHash), ("revision", revision)).ConfigureAwait(false);
                var ids = await db.InsertBuildsAsync(connection, tx, evaluationId, jobsetId, jobset[0], builds, now, ct).ConfigureAwait(false);
                var outputs = new List<BuildOutputRecord>();
                for (var i = 0; i < builds.Count; i++)
                {
                    outputs.AddRange(builds[i].Outputs.Select(o => new BuildOutputRecord(ids[i], o.Name, o.Path)));
                }
                await db.WriteFarmBatchAsync(connection, tx, new FarmBatch([], [], outputs, [], []), ct).ConfigureAwait(false);
                QueueNotification? added = null;
                if (ids.Length > 0)
                {
                    added = new QueueNotification(QueueNotificationKind.BuildsAdded, ids.Min(), 0);
                    await db.NotifyInTransactionAsync(connection, tx, BuildsAddedChannel, Payload(added.Id), ct).ConfigureAwait(false);
                }
                await tx.CommitAsync(ct).ConfigureAwait(false);
                if (added is not null)
                {
                    db.NotifyAfterCommit(added);
                }
                return new EvaluationRecord(evaluationId, jobsetId, now, ids);
            }, cancellationToken);
        }

        public override Task<IReadOnlyList<QueuedBuild>> ListQueuedBuildsAsync(long afterId, int limit, CancellationToken cancellationToken = default)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
            return db.QueryListAsync("listing queued builds",
                """
                SELECT b.id, b.jobset_id, j.scheduling_shares, b.job, b.drv_path, b.system, b.priority, b.global_priority, b.max_silent, b.timeout, b.queued_at,
                       COALESCE((SELECT MAX(s.step_nr) FROM build_steps s WHERE s.build_id = b.id), 0)
                FROM builds b JOIN jobsets j ON j.id = b.jobset_id
                WHERE b.finished = 0 AND b.id > @after ORDER BY b.id LIMIT @limit
                """,
                r => new QueuedBuild(r.GetInt64(0), r.GetInt64(1), r.GetInt32(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetInt32(6), r.GetInt32(7),
                    r.GetInt32(8), r.GetInt32(9), db.ReadTime(r, 10), r.GetInt32(11)),
                cancellationToken, ("after", afterId), ("limit", limit));
        }

        public override async Task<BuildRecord?> FindBuildAsync(long buildId, CancellationToken cancellationToken = default)
        {
            var found = await db.QueryListAsync("finding a build", $"SELECT {BuildColumns} FROM builds WHERE id = @id", db.ReadBuild, cancellationToken, ("id", buildId)).ConfigureAwait(false);
            return found.Count == 0 ? null : found[0];
        }

        public override Task<IReadOnlyList<BuildRecord>> ListBuildsAsync(long evaluationId, CancellationToken cancellationToken = default) =>
            db.QueryListAsync("listing builds", $"SELECT {BuildColumns} FROM builds WHERE evaluation_id = @e ORDER BY id", db.ReadBuild, cancellationToken, ("e", evaluationId));

        public override Task<IReadOnlyList<BuildRecord>> ListJobsetBuildsAsync(long? jobsetId, CancellationToken cancellationToken = default) =>
            jobsetId is { } id
                ? db.QueryListAsync("listing builds", $"SELECT {BuildColumns} FROM builds WHERE jobset_id = @j ORDER BY id", db.ReadBuild, cancellationToken, ("j", id))
                : db.QueryListAsync("listing builds", $"SELECT {BuildColumns} FROM builds ORDER BY id", db.ReadBuild, cancellationToken);

        public override Task<IReadOnlyList<BuildStepRecord>> ListStepsAsync(long buildId, CancellationToken cancellationToken = default) =>
            db.QueryListAsync("listing build steps", $"SELECT {StepColumns} FROM build_steps WHERE build_id = @b ORDER BY step_nr", db.ReadStep, cancellationToken, ("b", buildId));

        public override Task<IReadOnlyList<BuildOutputRecord>> ListOutputsAsync(long buildId, CancellationToken cancellationToken = default) =>
            db.QueryListAsync("listing build outputs", "SELECT build_id, name, path FROM build_outputs WHERE build_id = @b ORDER BY name",
                r => new BuildOutputRecord(r.GetInt64(0), r.GetString(1), NullableString(r, 2)), cancellationToken, ("b", buildId));

        public override Task WriteAsync(FarmBatch batch, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(batch);
            if (batch.IsEmpty)
            {
                return Task.CompletedTask;
            }
            return db.GuardAsync("writing queue runner results", async ct =>
            {
                await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
                await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                await db.WriteFarmBatchAsync(connection, tx, batch, ct).ConfigureAwait(false);
                await tx.CommitAsync(ct).ConfigureAwait(false);
                return 0;
            }, cancellationToken);
        }

        public override async Task<IReadOnlyList<FailedPathRecord>> FindFailedPathsAsync(IReadOnlyCollection<string> paths, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(paths);
            var found = new List<FailedPathRecord>();
            if (paths.Count == 0)
            {
                return found;
            }
            await db.GuardAsync("reading failed paths", async ct =>
            {
                await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
                await db.QueryByKeysAsync(connection, "SELECT path, drv_path, status, failed_at FROM failed_paths WHERE", "path", paths,
                    r => found.Add(new FailedPathRecord(r.GetString(0), r.GetString(1), (BuildStatus)r.GetInt32(2), db.ReadTime(r, 3))), ct).ConfigureAwait(false);
                return 0;
            }, cancellationToken).ConfigureAwait(false);
            found.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
            return found;
        }

        public override Task<int> ClearFailedPathsAsync(IReadOnlyCollection<string> paths, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(paths);
            return db.GuardAsync("clearing failed paths", async ct =>
            {
                await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
                await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                var n = 0;
                foreach (var path in paths)
                {
                    n += await connection.ExecuteCountAsync("DELETE FROM failed_paths WHERE path = @p", tx, ct, ("p", path)).ConfigureAwait(false);
                }
                await tx.CommitAsync(ct).ConfigureAwait(false);
                return n;
            }, cancellationToken);
        }

        public override async Task<bool> CancelBuildAsync(long buildId, DateTimeOffset at, CancellationToken cancellationToken = default)
        {
            var stop = db.ToDbTime(ToMicroseconds(at));
            return await WriteAndNotifyAsync("cancelling a build",
                $"UPDATE builds SET finished = 1, build_status = {(int)BuildStatus.Cancelled}, stop_time = @at, start_time = COALESCE(start_time, @at) WHERE id = @id AND finished = 0",
                [("at", stop), ("id", buildId)], new QueueNotification(QueueNotificationKind.BuildCancelled, buildId, 0), BuildCancelledChannel, cancellationToken).ConfigureAwait(false);
        }

        public override Task<bool> BumpBuildAsync(long buildId, int globalPriority, CancellationToken cancellationToken = default) =>
            WriteAndNotifyAsync("raising a build's priority", "UPDATE builds SET global_priority = @p WHERE id = @id AND finished = 0 AND global_priority < @p",
                [("p", globalPriority), ("id", buildId)], new QueueNotification(QueueNotificationKind.BuildBumped, buildId, globalPriority), BuildBumpedChannel, cancellationToken);

        /// <summary>Runs one statement; when it changed a row, announces <paramref name="notification"/>. True when a row changed.</summary>
        private Task<bool> WriteAndNotifyAsync(string operation, string sql, (string, object?)[] parameters, QueueNotification notification, string channel, CancellationToken cancellationToken) =>
            db.GuardAsync(operation, async ct =>
            {
                await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
                await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                var changed = await connection.ExecuteCountAsync(sql, tx, ct, parameters).ConfigureAwait(false) > 0;
                if (changed)
                {
                    await db.NotifyInTransactionAsync(connection, tx, channel,
                        Payload(notification.Id, notification.Kind is QueueNotificationKind.BuildBumped or QueueNotificationKind.SharesChanged ? notification.Value : null), ct).ConfigureAwait(false);
                }
                await tx.CommitAsync(ct).ConfigureAwait(false);
                if (changed)
                {
                    db.NotifyAfterCommit(notification);
                }
                return changed;
            }, cancellationToken);

        public override Task<int> AbortBusyStepsAsync(DateTimeOffset at, CancellationToken cancellationToken = default) =>
            db.GuardAsync("aborting busy steps", async ct =>
            {
                await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
                return await connection.ExecuteCountAsync(
                    $"UPDATE build_steps SET busy = 0, status = {(int)BuildStatus.Aborted}, stop_time = @at, error_msg = COALESCE(error_msg, 'queue runner stopped') WHERE busy <> 0",
                    null, ct, ("at", db.ToDbTime(ToMicroseconds(at)))).ConfigureAwait(false);
            }, cancellationToken);

        public override Task UpsertMachineAsync(MachineRecord machine, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(machine);
            return db.GuardAsync($"saving machine '{machine.Name}'", async ct =>
            {
                await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
                await connection.ExecuteAsync(
                    """
                    INSERT INTO machines (name, systems, supported_features, mandatory_features, max_jobs, speed_factor, enabled, last_seen_at)
                    VALUES (@name, @systems, @supported, @mandatory, @jobs, @speed, @enabled, @seen)
                    ON CONFLICT (name) DO UPDATE SET systems = excluded.systems, supported_features = excluded.supported_features,
                        mandatory_features = excluded.mandatory_features, max_jobs = excluded.max_jobs, speed_factor = excluded.speed_factor,
                        enabled = excluded.enabled, last_seen_at = excluded.last_seen_at
                    """, null, ct,
                    ("name", machine.Name), ("systems", TextList.Join(machine.Systems)), ("supported", TextList.Join(machine.SupportedFeatures)),
                    ("mandatory", TextList.Join(machine.MandatoryFeatures)), ("jobs", machine.MaxJobs), ("speed", machine.SpeedFactor),
                    ("enabled", machine.Enabled ? 1 : 0), ("seen", machine.LastSeenAt is { } s ? db.ToDbTime(ToMicroseconds(s)) : null)).ConfigureAwait(false);
                return 0;
            }, cancellationToken);
        }

        public override Task<IReadOnlyList<MachineRecord>> ListMachinesAsync(CancellationToken cancellationToken = default) =>
            db.QueryListAsync("listing machines",
                "SELECT name, systems, supported_features, mandatory_features, max_jobs, speed_factor, enabled, last_seen_at FROM machines ORDER BY name",
                r => new MachineRecord(r.GetString(0), TextList.Split(r.GetString(1)), TextList.Split(r.GetString(2)), TextList.Split(r.GetString(3)),
                    r.GetInt32(4), r.GetDouble(5), r.GetInt32(6) != 0, r.IsDBNull(7) ? null : db.ReadTime(r, 7)),
                cancellationToken);

        public override async Task<BuildLogRecord?> FindLogAsync(long buildId, int stepNr, CancellationToken cancellationToken = default)
        {
            var found = await db.QueryListAsync("finding a log",
                "SELECT build_id, step_nr, drv_path, location, size, compression FROM build_logs WHERE build_id = @b AND step_nr = @s",
                r => new BuildLogRecord(r.GetInt64(0), r.GetInt32(1), r.GetString(2), r.GetString(3), r.GetInt64(4), r.GetString(5)),
                cancellationToken, ("b", buildId), ("s", stepNr)).ConfigureAwait(false);
            return found.Count == 0 ? null : found[0];
        }

        public override Task<FarmQueueListener> ListenAsync(CancellationToken cancellationToken = default) =>
            db.GuardAsync("listening for queue changes", db.ListenFarmAsync, cancellationToken);

        private DateTimeOffset Now() => db.time.GetUtcNow();
    }
}
