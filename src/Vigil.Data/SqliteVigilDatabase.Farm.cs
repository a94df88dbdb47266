using System.Data.Common;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Vigil.Data.Farm;

namespace Vigil.Data;

/// <summary>The farm on SQLite (a one-machine farm): prepared statements in one transaction, notifications within this process.</summary>
internal sealed partial class SqliteVigilDatabase
{
    private readonly List<SqliteFarmListener> listeners = [];

    protected override string CheckedLongAgoCondition => "j.last_checked_at <= @now - j.check_interval * 1000000";

    protected override async Task<long[]> InsertBuildsAsync(DbConnection connection, DbTransaction transaction, long evaluationId, long jobsetId, int defaultPriority, IReadOnlyList<NewBuild> builds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ids = new long[builds.Count];
        using var insert = Prepare(connection, transaction,
            """
            INSERT INTO builds (evaluation_id, jobset_id, job, drv_path, system, priority, global_priority, max_silent, timeout, finished, is_cached_build, queued_at)
            VALUES (@e, @j, @job, @drv, @system, @priority, 0, @silent, @timeout, 0, 0, @at) RETURNING id
            """, "e", "j", "job", "drv", "system", "priority", "silent", "timeout", "at");
        for (var i = 0; i < builds.Count; i++)
        {
            var b = builds[i];
            ids[i] = (long)(await Bind(insert, evaluationId, jobsetId, b.Job, b.DrvPath, b.System, b.Priority ?? defaultPriority, b.MaxSilent, b.Timeout, ToDbTime(now))
                .ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        return ids;
    }

    protected override Task WriteFarmBatchAsync(DbConnection connection, DbTransaction transaction, FarmBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Steps.Count > 0)
        {
            using var step = Prepare(connection, transaction,
                $"""
                INSERT INTO build_steps ({StepColumns}) VALUES (@b, @n, 0, @drv, @system, @machine, @busy, @status, @error, @start, @stop, @attempt, @from)
                ON CONFLICT (build_id, step_nr) DO UPDATE SET machine = excluded.machine, busy = excluded.busy, status = excluded.status,
                    error_msg = excluded.error_msg, start_time = excluded.start_time, stop_time = excluded.stop_time, attempt = excluded.attempt,
                    propagated_from = excluded.propagated_from
                """, "b", "n", "drv", "system", "machine", "busy", "status", "error", "start", "stop", "attempt", "from");
            foreach (var s in batch.Steps)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Bind(step, s.BuildId, s.StepNr, s.DrvPath, s.System, s.Machine, (int)s.Busy, (int?)s.Status, s.ErrorMsg,
                    s.StartTime is { } a ? ToDbTime(a) : null, s.StopTime is { } z ? ToDbTime(z) : null, s.Attempt, s.PropagatedFrom).ExecuteNonQuery();
            }
        }
        if (batch.Logs.Count > 0)
        {
            using var log = Prepare(connection, transaction,
                """
                INSERT INTO build_logs (build_id, step_nr, drv_path, location, size, compression) VALUES (@b, @n, @drv, @location, @size, @compression)
                ON CONFLICT (build_id, step_nr) DO UPDATE SET location = excluded.location, size = excluded.size, compression = excluded.compression
                """, "b", "n", "drv", "location", "size", "compression");
            foreach (var l in batch.Logs)
            {
                Bind(log, l.BuildId, l.StepNr, l.DrvPath, l.Location, l.Size, l.Compression).ExecuteNonQuery();
            }
        }
        if (batch.Outputs.Count > 0)
        {
            using var output = Prepare(connection, transaction,
                "INSERT INTO build_outputs (build_id, name, path) VALUES (@b, @name, @path) ON CONFLICT (build_id, name) DO UPDATE SET path = COALESCE(excluded.path, build_outputs.path)",
                "b", "name", "path");
            foreach (var o in batch.Outputs)
            {
                Bind(output, o.BuildId, o.Name, o.Path).ExecuteNonQuery();
            }
        }
        if (batch.Finishes.Count > 0)
        {
            using var finish = Prepare(connection, transaction,
                "UPDATE builds SET finished = 1, build_status = @status, is_cached_build = @cached, start_time = COALESCE(@start, start_time, @stop), stop_time = @stop WHERE id = @b AND finished = 0",
                "status", "cached", "start", "stop", "b");
            foreach (var f in batch.Finishes)
            {
                Bind(finish, (int)f.Status, f.IsCachedBuild ? 1 : 0, f.StartTime is { } a ? ToDbTime(a) : null, ToDbTime(f.StopTime), f.BuildId).ExecuteNonQuery();
            }
        }
        if (batch.FailedPaths.Count > 0)
        {
            using var failed = Prepare(connection, transaction,
                "INSERT INTO failed_paths (path, drv_path, status, failed_at) VALUES (@p, @drv, @status, @at) ON CONFLICT (path) DO NOTHING",
                "p", "drv", "status", "at");
            foreach (var f in batch.FailedPaths)
            {
                Bind(failed, f.Path, f.DrvPath, (int)f.Status, ToDbTime(f.FailedAt)).ExecuteNonQuery();
            }
        }
        return Task.CompletedTask;
    }

    private static SqliteCommand Prepare(DbConnection connection, DbTransaction transaction, string sql, params string[] names)
    {
        var command = (SqliteCommand)connection.CreateCommand();
        command.Transaction = (SqliteTransaction)transaction;
#pragma warning disable CA2100 // constant SQL of this assembly
        command.CommandText = sql;
#pragma warning restore CA2100
        foreach (var name in names)
        {
            command.Parameters.Add(new SqliteParameter("@" + name, null));
        }
        command.Prepare();
        return command;
    }

    private static SqliteCommand Bind(SqliteCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
        return command;
    }

    protected override Task NotifyInTransactionAsync(DbConnection connection, DbTransaction transaction, string channel, string payload, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    protected override void NotifyAfterCommit(QueueNotification notification)
    {
        lock (listeners)
        {
            foreach (var listener in listeners)
            {
                listener.Post(notification);
            }
        }
    }

    protected override Task<FarmQueueListener> ListenFarmAsync(CancellationToken cancellationToken)
    {
        var listener = new SqliteFarmListener(this);
        lock (listeners)
        {
            listeners.Add(listener);
        }
        return Task.FromResult<FarmQueueListener>(listener);
    }

    /// <summary>Hears changes made through this database object; other processes' changes show up when the caller polls by id.</summary>
    private sealed class SqliteFarmListener(SqliteVigilDatabase db) : FarmQueueListener
    {
        private readonly Channel<QueueNotification> received = Channel.CreateUnbounded<QueueNotification>();

        public void Post(QueueNotification notification) => received.Writer.TryWrite(notification);

        public override async Task<IReadOnlyList<QueueNotification>> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
        {
            var list = new List<QueueNotification>();
            if (!received.Reader.TryPeek(out _))
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                wait.CancelAfter(timeout);
                try
                {
                    await received.Reader.WaitToReadAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return list;
                }
            }
            while (received.Reader.TryRead(out var n))
            {
                list.Add(n);
            }
            return list;
        }

        public override ValueTask DisposeAsync()
        {
            lock (db.listeners)
            {
                db.listeners.Remove(this);
            }
            received.Writer.TryComplete();
            return ValueTask.CompletedTask;
        }
    }
}
