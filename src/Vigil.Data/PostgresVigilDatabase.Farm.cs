using System.Data.Common;
using Npgsql;
using NpgsqlTypes;
using Vigil.Data.Farm;

namespace Vigil.Data;

/// <summary>
/// The farm on PostgreSQL: each part of a batch is one statement over arrays (<c>unnest</c>), so a
/// batch of any size costs one round trip per table; queue changes travel by <c>NOTIFY</c>.
/// </summary>
internal sealed partial class PostgresVigilDatabase
{
    protected override string CheckedLongAgoCondition => "j.last_checked_at <= @now - j.check_interval * interval '1 second'";

    protected override async Task<long[]> InsertBuildsAsync(DbConnection connection, DbTransaction transaction, long evaluationId, long jobsetId, int defaultPriority, IReadOnlyList<NewBuild> builds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (builds.Count == 0)
        {
            return [];
        }
        var npgsql = (NpgsqlConnection)connection;
        // Ids are taken from the sequence first, so each build's id is known by position (RETURNING
        // promises no order).
        var ids = new long[builds.Count];
        await using (var next = new NpgsqlCommand("SELECT nextval(pg_get_serial_sequence('builds', 'id')) FROM generate_series(1, @n)", npgsql))
        {
            next.Parameters.AddWithValue("n", builds.Count);
            await using var reader = await next.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var i = 0;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                ids[i++] = reader.GetInt64(0);
            }
        }
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO builds (id, evaluation_id, jobset_id, job, drv_path, system, priority, global_priority, max_silent, timeout, finished, is_cached_build, queued_at)
            SELECT u.id, @e, @j, u.job, u.drv, u.system, u.priority, 0, u.silent, u.timeout, 0, 0, @at
            FROM unnest(@id, @job, @drv, @system, @priority, @silent, @timeout) AS u(id, job, drv, system, priority, silent, timeout)
            """, npgsql);
        insert.Parameters.AddWithValue("e", evaluationId);
        insert.Parameters.AddWithValue("j", jobsetId);
        insert.Parameters.AddWithValue("at", ToDbTime(now));
        insert.Parameters.AddWithValue("id", ids);
        insert.Parameters.AddWithValue("job", builds.Select(b => b.Job).ToArray());
        insert.Parameters.AddWithValue("drv", builds.Select(b => b.DrvPath).ToArray());
        insert.Parameters.AddWithValue("system", builds.Select(b => b.System).ToArray());
        insert.Parameters.AddWithValue("priority", builds.Select(b => b.Priority ?? defaultPriority).ToArray());
        insert.Parameters.AddWithValue("silent", builds.Select(b => b.MaxSilent).ToArray());
        insert.Parameters.AddWithValue("timeout", builds.Select(b => b.Timeout).ToArray());
        insert.CommandTimeout = BulkCommandTimeoutSeconds;
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return ids;
    }

    protected override async Task WriteFarmBatchAsync(DbConnection connection, DbTransaction transaction, FarmBatch batch, CancellationToken cancellationToken)
    {
        var npgsql = (NpgsqlConnection)connection;
        // One batch may carry a step's start and its end: the last form of each row wins, and
        // ON CONFLICT cannot touch a row twice in one statement.
        var steps = LastPerKey(batch.Steps, s => (s.BuildId, s.StepNr));
        if (steps.Count > 0)
        {
            await ExecuteArraysAsync(npgsql,
                $"""
                INSERT INTO build_steps ({StepColumns})
                SELECT u.b, u.n, 0, u.drv, u.system, u.machine, u.busy, u.status, u.error, u.start_time, u.stop_time, u.attempt, u.propagated
                FROM unnest(@b, @n, @drv, @system, @machine, @busy, @status, @error, @start, @stop, @attempt, @from)
                     AS u(b, n, drv, system, machine, busy, status, error, start_time, stop_time, attempt, propagated)
                ON CONFLICT (build_id, step_nr) DO UPDATE SET machine = excluded.machine, busy = excluded.busy, status = excluded.status,
                    error_msg = excluded.error_msg, start_time = excluded.start_time, stop_time = excluded.stop_time, attempt = excluded.attempt,
                    propagated_from = excluded.propagated_from
                """, cancellationToken,
                ("b", steps.Select(s => s.BuildId).ToArray()),
                ("n", steps.Select(s => s.StepNr).ToArray()),
                ("drv", steps.Select(s => s.DrvPath).ToArray()),
                ("system", steps.Select(s => s.System).ToArray()),
                ("machine", steps.Select(s => s.Machine).ToArray()),
                ("busy", steps.Select(s => (int)s.Busy).ToArray()),
                ("status", steps.Select(s => (int?)s.Status).ToArray()),
                ("error", steps.Select(s => s.ErrorMsg).ToArray()),
                ("start", steps.Select(s => s.StartTime?.ToUniversalTime()).ToArray()),
                ("stop", steps.Select(s => s.StopTime?.ToUniversalTime()).ToArray()),
                ("attempt", steps.Select(s => s.Attempt).ToArray()),
                ("from", steps.Select(s => s.PropagatedFrom).ToArray())).ConfigureAwait(false);
        }
        var logs = LastPerKey(batch.Logs, l => (l.BuildId, l.StepNr));
        if (logs.Count > 0)
        {
            await ExecuteArraysAsync(npgsql,
                """
                INSERT INTO build_logs (build_id, step_nr, drv_path, location, size, compression)
                SELECT * FROM unnest(@b, @n, @drv, @location, @size, @compression)
                ON CONFLICT (build_id, step_nr) DO UPDATE SET location = excluded.location, size = excluded.size, compression = excluded.compression
                """, cancellationToken,
                ("b", logs.Select(l => l.BuildId).ToArray()),
                ("n", logs.Select(l => l.StepNr).ToArray()),
                ("drv", logs.Select(l => l.DrvPath).ToArray()),
                ("location", logs.Select(l => l.Location).ToArray()),
                ("size", logs.Select(l => l.Size).ToArray()),
                ("compression", logs.Select(l => l.Compression).ToArray())).ConfigureAwait(false);
        }
        var outputs = LastPerKey(batch.Outputs, o => (o.BuildId, o.Name));
        if (outputs.Count > 0)
        {
            await ExecuteArraysAsync(npgsql,
                """
                INSERT INTO build_outputs (build_id, name, path) SELECT * FROM unnest(@b, @name, @path)
                ON CONFLICT (build_id, name) DO UPDATE SET path = COALESCE(excluded.path, build_outputs.path)
                """, cancellationToken,
                ("b", outputs.Select(o => o.BuildId).ToArray()),
                ("name", outputs.Select(o => o.Name).ToArray()),
                ("path", outputs.Select(o => o.Path).ToArray())).ConfigureAwait(false);
        }
        var finishes = LastPerKey(batch.Finishes, f => f.BuildId);
        if (finishes.Count > 0)
        {
            await ExecuteArraysAsync(npgsql,
                """
                UPDATE builds b SET finished = 1, build_status = u.status, is_cached_build = u.cached,
                    start_time = COALESCE(u.start_time, b.start_time, u.stop_time), stop_time = u.stop_time
                FROM unnest(@b, @status, @cached, @start, @stop) AS u(id, status, cached, start_time, stop_time)
                WHERE b.id = u.id AND b.finished = 0
                """, cancellationToken,
                ("b", finishes.Select(f => f.BuildId).ToArray()),
                ("status", finishes.Select(f => (int)f.Status).ToArray()),
                ("cached", finishes.Select(f => f.IsCachedBuild ? 1 : 0).ToArray()),
                ("start", finishes.Select(f => f.StartTime?.ToUniversalTime()).ToArray()),
                ("stop", finishes.Select(f => f.StopTime.ToUniversalTime()).ToArray())).ConfigureAwait(false);
        }
        if (batch.FailedPaths.Count > 0)
        {
            await ExecuteArraysAsync(npgsql,
                "INSERT INTO failed_paths (path, drv_path, status, failed_at) SELECT * FROM unnest(@p, @drv, @status, @at) ON CONFLICT (path) DO NOTHING",
                cancellationToken,
                ("p", batch.FailedPaths.Select(f => f.Path).ToArray()),
                ("drv", batch.FailedPaths.Select(f => f.DrvPath).ToArray()),
                ("status", batch.FailedPaths.Select(f => (int)f.Status).ToArray()),
                ("at", batch.FailedPaths.Select(f => f.FailedAt.ToUniversalTime()).ToArray())).ConfigureAwait(false);
        }
    }

    private static List<T> LastPerKey<T, TKey>(IReadOnlyList<T> rows, Func<T, TKey> key)
        where TKey : notnull
    {
        var last = new Dictionary<TKey, int>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            last[key(rows[i])] = i;
        }
        if (last.Count == rows.Count)
        {
            return [.. rows];
        }
        var kept = new List<T>(last.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            if (last[key(rows[i])] == i)
            {
                kept.Add(rows[i]);
            }
        }
        return kept;
    }

    private static async Task ExecuteArraysAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string Name, Array Values)[] arrays)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = BulkCommandTimeoutSeconds };
        foreach (var (name, values) in arrays)
        {
            command.Parameters.AddWithValue(name, values);
        }
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override Task NotifyInTransactionAsync(DbConnection connection, DbTransaction transaction, string channel, string payload, CancellationToken cancellationToken) =>
        connection.ExecuteAsync("SELECT pg_notify(@c, @p)", transaction, cancellationToken, ("c", channel), ("p", payload));

    protected override void NotifyAfterCommit(QueueNotification notification)
    {
        // The server delivers NOTIFY at commit, to this process too.
    }

    protected override async Task<FarmQueueListener> ListenFarmAsync(CancellationToken cancellationToken)
    {
        var listener = new PostgresFarmListener(dataSource);
        try
        {
            await listener.ConnectAsync(cancellationToken).ConfigureAwait(false);
            return listener;
        }
        catch
        {
            await listener.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// A connection of its own that LISTENs on the queue channels. When it breaks (a server
    /// restart) the next wait reconnects and reports a <see cref="QueueNotificationKind.BuildsAdded"/>
    /// with id 0: the caller then reads new builds by id from where it was, which loses nothing.
    /// </summary>
    private sealed class PostgresFarmListener(NpgsqlDataSource dataSource) : FarmQueueListener
    {
        private readonly List<QueueNotification> received = [];
        private NpgsqlConnection? connection;

        public async Task ConnectAsync(CancellationToken cancellationToken)
        {
            var c = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            c.Notification += (_, e) =>
            {
                if (ParseNotification(e.Channel, e.Payload) is { } n)
                {
                    lock (received)
                    {
                        received.Add(n);
                    }
                }
            };
            await using (var listen = new NpgsqlCommand(
                $"LISTEN {BuildsAddedChannel}; LISTEN {BuildCancelledChannel}; LISTEN {BuildBumpedChannel}; LISTEN {SharesChannel}", c))
            {
                await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            connection = c;
        }

        public override async Task<IReadOnlyList<QueueNotification>> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
        {
            if (connection is null)
            {
                await ConnectAsync(cancellationToken).ConfigureAwait(false);
                return [new QueueNotification(QueueNotificationKind.BuildsAdded, 0, 0)];
            }
            if (Take() is { Count: > 0 } pending)
            {
                return pending;
            }
            try
            {
                await connection.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or ObjectDisposedException && !cancellationToken.IsCancellationRequested)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                connection = null;
                throw;
            }
            return Take();
        }

        private List<QueueNotification> Take()
        {
            lock (received)
            {
                var list = new List<QueueNotification>(received);
                received.Clear();
                return list;
            }
        }

        public override async ValueTask DisposeAsync()
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
