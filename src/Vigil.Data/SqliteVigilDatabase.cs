using System.Buffers;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using Vigil.Nix.Fetchers;

namespace Vigil.Data;

/// <summary>
/// The embedded default: one SQLite file in WAL mode. Each call takes a pooled connection, so the
/// object is safe to share; writers serialise on SQLite's own lock (<c>BEGIN IMMEDIATE</c>, busy
/// timeout). Bulk writes bind a prepared statement per row inside one transaction. A file this
/// object creates stays in rollback-journal mode until its first revision is saved (or it is
/// closed): see <see cref="_rollbackJournal"/>.
/// </summary>
internal sealed partial class SqliteVigilDatabase : SqlVigilDatabase
{
    // Keys per lookup query: big enough that a query costs little beside its rows, small enough that its JSON stays small.
    internal const int KeyChunk = 10_000;
    private const int BusyTimeoutMs = 30_000;
    private const int CancelCheckEvery = 1024;
    internal const int PageSize = 65_536;
    private const int CheckpointAfterRows = 4096;

    private readonly object _checkpointLock = new();
    private Task _checkpoint = Task.CompletedTask;

    // True while the file is one this object created and has not yet switched to WAL. A first scan
    // writes tens of MB into an empty file: in WAL mode every page is written twice (to the log,
    // then checkpointed into the file), while a rollback journal holds only pages that existed
    // before the transaction, which in a new file is almost none. On the 41k-drv bench set a first
    // scan took 1.23 s instead of 1.36 s (median of 8 interleaved pairs, and 1.21 against 1.30 s).
    // WAL's readers-beside-a-writer comes back with the first saved revision, for a server too.
    private volatile bool _rollbackJournal;

    private SqliteVigilDatabase(DatabaseLocation location, TimeProvider time) : base(location, time) { }

    public static async Task<SqliteVigilDatabase> OpenAsync(DatabaseLocation location, TimeProvider time, CancellationToken cancellationToken)
    {
        var db = new SqliteVigilDatabase(location, time);
        try
        {
            await db.GuardAsync("opening", async ct =>
            {
                await using var connection = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
                using (var pages = connection.CreateCommand())
                {
                    pages.CommandText = "PRAGMA page_count";
                    db._rollbackJournal = Convert.ToInt64(pages.ExecuteScalar(), CultureInfo.InvariantCulture) == 0;
                }
                // Takes effect only in a new, empty file (an existing database keeps its page size).
                // A scan writes tens of MB of FOD rows at once: with 64 KiB pages the last write of
                // the 41k-drv bench set took 0.35 s instead of 0.65 s (fewer B-tree pages to split,
                // balance, log and checkpoint), and the rescan's save was no slower.
                using (var pageSize = connection.CreateCommand())
                {
                    pageSize.CommandText = $"PRAGMA page_size={PageSize}";
                    pageSize.ExecuteNonQuery();
                }
                if (!db._rollbackJournal)
                {
                    // WAL is a property of the file: set here, outside any transaction. A file left in
                    // rollback mode by a process that was killed has its hot journal rolled back first.
                    EnterWal(connection);
                }
                return 0;
            }, cancellationToken).ConfigureAwait(false);
            await db.MigrateAsync(cancellationToken).ConfigureAwait(false);
            return db;
        }
        catch
        {
            await db.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    protected override string? MigrationLockSql => null;

    // Deferred: the default BEGIN IMMEDIATE would take the write lock, and hold off every writer, to read.
    protected override ValueTask<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken) =>
        ValueTask.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));

    protected override ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var connection = new SqliteConnection(ConnectionString);
        try
        {
            connection.Open();
            using var pragmas = connection.CreateCommand();
            // Per connection: NORMAL is durable enough in WAL (a power cut may lose the last commits, never corrupt).
            // A 64 MiB page cache (the default is 2 MiB) keeps a bulk write's B-trees in memory instead of spilling to the WAL.
            // FULL while in rollback-journal mode, where NORMAL could corrupt the file on a power cut.
            pragmas.CommandText = $"PRAGMA synchronous={(_rollbackJournal ? "FULL" : "NORMAL")}; PRAGMA busy_timeout={BusyTimeoutMs}; PRAGMA cache_size=-65536";
            pragmas.ExecuteNonQuery();
            return ValueTask.FromResult<DbConnection>(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    protected override object ToDbTime(DateTimeOffset value) => (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    protected override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) =>
        new(DateTimeOffset.UnixEpoch.UtcTicks + (reader.GetInt64(ordinal) * 10), TimeSpan.Zero);

    protected override bool IsForeignKeyViolation(DbException exception) =>
        exception is SqliteException { SqliteExtendedErrorCode: 787 }; // SQLITE_CONSTRAINT_FOREIGNKEY

    protected override Task QueryByKeysAsync(DbConnection connection, string select, string keyColumn, IReadOnlyCollection<string> keys, Action<DbDataReader> onRow, CancellationToken cancellationToken)
    {
        // The keys travel as one JSON array parameter, expanded by json_each: Microsoft.Data.Sqlite
        // binds every parameter by name on every execution, and SQLite finds a name by a linear
        // search, so an IN list of n parameters costs n² string comparisons per query. Sorted keys
        // walk the key's B-tree in order.
        if (keys.Count == 0)
        {
            return Task.CompletedTask;
        }
        var sorted = keys.ToArray();
        Array.Sort(sorted, StringComparer.Ordinal);
        using var command = connection.CreateCommand();
        command.CommandText = $"{select} {keyColumn} IN (SELECT value FROM json_each(@keys))";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@keys";
        command.Parameters.Add(parameter);
        command.Prepare();
        var json = new ArrayBufferWriter<byte>(Math.Min(sorted.Length, KeyChunk) * 80);
        for (var start = 0; start < sorted.Length; start += KeyChunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            json.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(json))
            {
                writer.WriteStartArray();
                for (var i = start; i < Math.Min(start + KeyChunk, sorted.Length); i++)
                {
                    writer.WriteStringValue(sorted[i]);
                }
                writer.WriteEndArray();
            }
            parameter.Value = Encoding.UTF8.GetString(json.WrittenSpan);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                onRow(reader);
            }
        }
        return Task.CompletedTask;
    }

    protected override Task InsertFodsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<FodRecord> fods, CancellationToken cancellationToken)
    {
        // FOD records are immutable: a row already there is the same row.
        var rebuilt = DropIndexesForBulkInsert(connection, transaction, "fods", fods.Count);
        InsertRows(connection, transaction, "INSERT OR IGNORE INTO fods", Rows.FodColumns, fods, f => f.DrvPath, Rows.Fill, cancellationToken);
        foreach (var create in rebuilt)
        {
            Execute(connection, transaction, create);
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Drops the secondary indexes of <paramref name="table"/> when more rows are about to be
    /// inserted than it holds (a first scan), and returns the statements that create them again.
    /// Random keys cost a B-tree descent and page splits per row and index, while CREATE INDEX
    /// sorts once: a third of the time. The caller recreates them in the same transaction, so a
    /// scan killed before its commit leaves the indexes as they were.
    /// </summary>
    private static List<string> DropIndexesForBulkInsert(DbConnection connection, DbTransaction transaction, string table, int rows)
    {
        var creates = new List<string>();
        using var count = connection.CreateCommand();
        count.Transaction = transaction;
        count.CommandText = $"SELECT COUNT(*) FROM (SELECT 1 FROM {table} LIMIT {rows.ToString(CultureInfo.InvariantCulture)}) AS sample";
        if (Convert.ToInt64(count.ExecuteScalar(), CultureInfo.InvariantCulture) >= rows)
        {
            return creates;
        }
        var names = new List<string>();
        using (var indexes = connection.CreateCommand())
        {
            indexes.Transaction = transaction;
            // Explicit indexes only (sql is null for the ones a PRIMARY KEY or UNIQUE makes).
            indexes.CommandText = "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = @table AND sql IS NOT NULL ORDER BY name";
            indexes.Parameters.Add(new SqliteParameter("@table", table));
            using var reader = indexes.ExecuteReader();
            while (reader.Read())
            {
                names.Add(reader.GetString(0));
                creates.Add(reader.GetString(1));
            }
        }
        foreach (var name in names)
        {
            Execute(connection, transaction, $"DROP INDEX \"{name}\"");
        }
        return creates;
    }

    private static void Execute(DbConnection connection, DbTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    protected override Task InsertRevisionChildrenAsync(DbConnection connection, DbTransaction transaction, long revisionId, IReadOnlyList<RevisionRoot> roots, IReadOnlyList<RevisionFod> fods, IReadOnlyList<EvalErrorRecord> errors, CancellationToken cancellationToken)
    {
        InsertRows(connection, transaction, "INSERT INTO revision_roots", Rows.RootColumns, roots, r => r.Attr, (r, v) =>
        {
            v[0] = revisionId;
            v[1] = r.Attr;
            v[2] = r.DrvPath;
        }, cancellationToken);
        InsertRows(connection, transaction, "INSERT INTO revision_fods", Rows.RevisionFodColumns, fods, f => f.DrvPath, (f, v) =>
        {
            v[0] = revisionId;
            v[1] = f.DrvPath;
            v[2] = TextList.Join(f.Attrs);
            v[3] = f.AttrCount;
        }, cancellationToken);
        InsertRows(connection, transaction, "INSERT INTO eval_errors", Rows.EvalErrorColumns, errors, e => e.Attr, (e, v) =>
        {
            v[0] = revisionId;
            v[1] = e.Attr;
            v[2] = e.Message;
        }, cancellationToken);
        return Task.CompletedTask;
    }

    protected override Task UpsertVulnRecordRowsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<VulnRecordRow> rows, CancellationToken cancellationToken)
    {
        InsertRows(connection, transaction, "INSERT OR REPLACE INTO vuln_records", VulnRecordColumns, rows, r => r.Source + "\n" + r.RecordId, FillVulnRecord, cancellationToken);
        return Task.CompletedTask;
    }

    protected override Task UpsertVulnTriageRowsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<VulnTriageRule> rules, CancellationToken cancellationToken)
    {
        InsertRows(connection, transaction, "INSERT OR REPLACE INTO vuln_triage", VulnTriageColumns, rules, null, FillTriage, cancellationToken);
        return Task.CompletedTask;
    }

    /// <param name="key">The key to insert in order of; null to insert in the given order.</param>
    private static void InsertRows<T>(DbConnection connection, DbTransaction transaction, string insertInto, string[] columns, IReadOnlyList<T> rows, Func<T, string>? key, Action<T, object?[]> fill, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }
        var order = key is null ? Enumerable.Range(0, rows.Count).ToArray() : Rows.KeyOrder(rows, key);
        // One statement, prepared once and bound by position through SQLite's own API (the
        // transaction is the connection's, begun by the caller): Microsoft.Data.Sqlite binds
        // each parameter by name on every row, a search and a UTF-8 copy of the name each time,
        // which cost about as much as SQLite's B-tree work for tens of thousands of rows.
        Debug.Assert(ReferenceEquals(transaction.Connection, connection), "the rows go into the caller's transaction, which is the connection's");
        var db = ((SqliteConnection)connection).Handle!;
        var sql = $"{insertInto} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select(_ => "?"))})";
        Check(raw.sqlite3_prepare_v2(db, sql, out var statement), db);
        using (statement)
        {
            var values = new object?[columns.Length];
            var utf8 = new byte[1024];
            for (var n = 0; n < order.Length; n++)
            {
                if (n % CancelCheckEvery == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
                fill(rows[order[n]], values);
                for (var i = 0; i < values.Length; i++)
                {
                    var rc = values[i] switch
                    {
                        null => raw.sqlite3_bind_null(statement, i + 1),
                        string text => BindText(statement, i + 1, text, ref utf8),
                        bool flag => raw.sqlite3_bind_int64(statement, i + 1, flag ? 1 : 0),
                        int number => raw.sqlite3_bind_int64(statement, i + 1, number),
                        long number => raw.sqlite3_bind_int64(statement, i + 1, number),
                        byte[] bytes => raw.sqlite3_bind_blob(statement, i + 1, bytes),
                        var other => throw new InvalidOperationException($"no SQLite binding for {other.GetType()}"),
                    };
                    Check(rc, db);
                }
                var step = raw.sqlite3_step(statement);
                if (step != raw.SQLITE_DONE)
                {
                    Check(step, db);
                }
                Check(raw.sqlite3_reset(statement), db);
            }
        }
    }

    /// <summary>
    /// Binds <paramref name="text"/> as UTF-8 encoded into <paramref name="buffer"/> (SQLite copies
    /// it): the string overload allocates an array per value, 276k of them for a first scan's FODs.
    /// </summary>
    private static int BindText(sqlite3_stmt statement, int index, string text, ref byte[] buffer)
    {
        if (text.Length == 0)
        {
            // An empty span may pin to a null pointer, which SQLite binds as NULL, not as ''.
            return raw.sqlite3_bind_text(statement, index, text);
        }
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (buffer.Length < max)
        {
            buffer = new byte[Math.Max(max, buffer.Length * 2)];
        }
        return raw.sqlite3_bind_text(statement, index, buffer.AsSpan(0, Encoding.UTF8.GetBytes(text, buffer)));
    }

    private static void Check(int rc, sqlite3 db)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW))
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }
    }

    /// <summary>
    /// Starts copying a big write from the WAL into the database file in the background (a passive
    /// checkpoint, which never blocks readers or the writer), so that the checkpoint made when the
    /// last connection closes has only what came after it to copy and sync. A first scan's FOD rows
    /// are tens of MB: their checkpoint then overlaps the computing and saving of the revision.
    /// </summary>
    protected override void AfterBulkWrite(int rows)
    {
        if (rows < CheckpointAfterRows || _rollbackJournal)
        {
            return;
        }
        lock (_checkpointLock)
        {
            if (_checkpoint.IsCompleted)
            {
                _checkpoint = Task.Run(CheckpointAsync);
            }
        }
    }

    private async Task CheckpointAsync()
    {
        try
        {
            await using var connection = await OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
            command.ExecuteNonQuery();
        }
        catch (SqliteException)
        {
            // Only an optimisation: the checkpoint at close copies whatever this one did not.
        }
    }

    public override async ValueTask DisposeAsync()
    {
        Task checkpoint;
        lock (_checkpointLock)
        {
            checkpoint = _checkpoint;
        }
        await checkpoint.ConfigureAwait(false);
        await TryLeaveRollbackJournalAsync().ConfigureAwait(false);
        // Pooled connections keep the file (and its -wal) open; a closed database lets go of it.
        using var connection = new SqliteConnection(ConnectionString);
        SqliteConnection.ClearPool(connection);
    }

    public override async Task<RevisionInfo> SaveRevisionAsync(string name, string target, IReadOnlyList<RevisionRoot> roots, IReadOnlyList<RevisionFod> fods, IReadOnlyList<EvalErrorRecord> errors, RevisionGraph? graph = null, CancellationToken cancellationToken = default)
    {
        var info = await base.SaveRevisionAsync(name, target, roots, fods, errors, graph, cancellationToken).ConfigureAwait(false);
        await TryLeaveRollbackJournalAsync().ConfigureAwait(false);
        return info;
    }

    /// <summary>Switches a file this object created to WAL; other connections follow at their next transaction.</summary>
    private async Task TryLeaveRollbackJournalAsync()
    {
        if (!_rollbackJournal)
        {
            return;
        }
        try
        {
            await using var connection = await OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
            _rollbackJournal = !EnterWal(connection);
        }
        catch (SqliteException)
        {
            // Busy beyond the timeout (another process in a long transaction): the next save, the
            // close or the next open switches instead; until then the file is consistent, only slower to share.
        }
    }

    /// <summary>Puts the file in WAL mode; false if SQLite kept the old mode (it says so rather than failing).</summary>
    private static bool EnterWal(DbConnection connection)
    {
        using var wal = connection.CreateCommand();
        wal.CommandText = "PRAGMA journal_mode=WAL";
        return string.Equals((string?)wal.ExecuteScalar(), "wal", StringComparison.OrdinalIgnoreCase);
    }
}
