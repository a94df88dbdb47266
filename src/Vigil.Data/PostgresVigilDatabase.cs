using System.Data;
using System.Data.Common;
using Npgsql;
using NpgsqlTypes;
using Vigil.Nix.Fetchers;

namespace Vigil.Data;

/// <summary>
/// PostgreSQL for scale and the farm. Bulk writes stream through binary COPY: immutable rows into a
/// transaction-scoped temp table, then <c>INSERT … ON CONFLICT DO NOTHING</c> (COPY itself cannot
/// skip rows already there); revision membership straight into its tables.
/// </summary>
internal sealed partial class PostgresVigilDatabase : SqlVigilDatabase
{
    // Bulk statements on a big package set outlast Npgsql's 30 s default; cancellation still stops them.
    private const int BulkCommandTimeoutSeconds = 3600;
    private const int CancelCheckEvery = 1024;

    // Any fixed key: every Vigil process migrating a database takes this transaction lock first.
    private const long MigrationLockKey = 0x5669_6769_6C00_0001;

    private readonly NpgsqlDataSource dataSource;

    private PostgresVigilDatabase(DatabaseLocation location, TimeProvider time) : base(location, time)
    {
        dataSource = NpgsqlDataSource.Create(location.ConnectionString);
    }

    public static async Task<PostgresVigilDatabase> OpenAsync(DatabaseLocation location, TimeProvider time, CancellationToken cancellationToken)
    {
        var db = new PostgresVigilDatabase(location, time);
        try
        {
            await db.MigrateAsync(cancellationToken).ConfigureAwait(false);
            return db;
        }
        catch
        {
            await db.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    protected override string? MigrationLockSql => $"SELECT pg_advisory_xact_lock({MigrationLockKey})";

    protected override string ShareLockSuffix => " FOR SHARE";

    protected override async ValueTask<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);

    protected override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    protected override object ToDbTime(DateTimeOffset value) => value.ToUniversalTime();

    protected override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);

    protected override bool IsForeignKeyViolation(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation };

    protected override async Task QueryByKeysAsync(DbConnection connection, string select, string keyColumn, IReadOnlyCollection<string> keys, Action<DbDataReader> onRow, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"{select} {keyColumn} = ANY(@keys)", (NpgsqlConnection)connection);
        command.Parameters.Add(new NpgsqlParameter<string[]>("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. keys] });
        command.CommandTimeout = BulkCommandTimeoutSeconds;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            onRow(reader);
        }
    }

    protected override Task InsertFodsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<FodRecord> fods, CancellationToken cancellationToken) =>
        ImportThroughStagingAsync((NpgsqlConnection)connection, transaction, "fods", Rows.FodColumns, FodTypes, fods, f => f.DrvPath, Rows.Fill, cancellationToken);

    protected override async Task InsertRevisionChildrenAsync(DbConnection connection, DbTransaction transaction, long revisionId, IReadOnlyList<RevisionRoot> roots, IReadOnlyList<RevisionFod> fods, IReadOnlyList<EvalErrorRecord> errors, CancellationToken cancellationToken)
    {
        var npgsql = (NpgsqlConnection)connection;
        await CopyAsync(npgsql, "revision_roots", Rows.RootColumns, [NpgsqlDbType.Bigint, NpgsqlDbType.Text, NpgsqlDbType.Text], roots, r => r.Attr, (r, v) =>
        {
            v[0] = revisionId;
            v[1] = r.Attr;
            v[2] = r.DrvPath;
        }, cancellationToken).ConfigureAwait(false);
        await CopyAsync(npgsql, "revision_fods", Rows.RevisionFodColumns, [NpgsqlDbType.Bigint, NpgsqlDbType.Text, NpgsqlDbType.Text, NpgsqlDbType.Integer], fods, f => f.DrvPath, (f, v) =>
        {
            v[0] = revisionId;
            v[1] = f.DrvPath;
            v[2] = TextList.Join(f.Attrs);
            v[3] = f.AttrCount;
        }, cancellationToken).ConfigureAwait(false);
        await CopyAsync(npgsql, "eval_errors", Rows.EvalErrorColumns, [NpgsqlDbType.Bigint, NpgsqlDbType.Text, NpgsqlDbType.Text], errors, e => e.Attr, (e, v) =>
        {
            v[0] = revisionId;
            v[1] = e.Attr;
            v[2] = e.Message;
        }, cancellationToken).ConfigureAwait(false);
    }

    protected override Task UpsertVulnRecordRowsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<VulnRecordRow> rows, CancellationToken cancellationToken) =>
        ImportThroughStagingAsync((NpgsqlConnection)connection, transaction, "vuln_records", VulnRecordColumns, VulnRecordTypes, rows, r => r.Source + "\n" + r.RecordId, FillVulnRecord, cancellationToken,
            $"ON CONFLICT (source, record_id) DO UPDATE SET {UpdateFromExcluded(VulnRecordColumns[2..])}");

    protected override Task UpsertVulnTriageRowsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<VulnTriageRule> rules, CancellationToken cancellationToken) =>
        ImportThroughStagingAsync((NpgsqlConnection)connection, transaction, "vuln_triage", VulnTriageColumns, VulnTriageTypes, rules, r => $"{r.Cve}\n{r.Pname}\n{r.Version}", FillTriage, cancellationToken,
            $"ON CONFLICT (cve, pname, version) DO UPDATE SET {UpdateFromExcluded(VulnTriageColumns[3..])}");

    private static string UpdateFromExcluded(string[] columns) => string.Join(", ", columns.Select(c => $"{c} = excluded.{c}"));

    private static readonly NpgsqlDbType[] VulnRecordTypes = [.. Enumerable.Repeat(NpgsqlDbType.Text, VulnRecordColumns.Length)];

    private static readonly NpgsqlDbType[] VulnTriageTypes = [.. Enumerable.Repeat(NpgsqlDbType.Text, VulnTriageColumns.Length - 1), NpgsqlDbType.TimestampTz];

    private static readonly NpgsqlDbType[] FodTypes = [.. Enumerable.Repeat(NpgsqlDbType.Text, Rows.FodColumns.Length)];

    private static async Task ImportThroughStagingAsync<T>(NpgsqlConnection connection, DbTransaction transaction, string table, string[] columns, NpgsqlDbType[] types, IReadOnlyList<T> rows, Func<T, string> key, Action<T, object?[]> fill, CancellationToken cancellationToken, string onConflict = "ON CONFLICT DO NOTHING")
    {
        if (rows.Count == 0)
        {
            return;
        }
        var staging = table + "_incoming";
        var columnList = string.Join(", ", columns);
        // No key on the staging table: duplicates inside one batch are settled by ON CONFLICT below.
        await connection.ExecuteAsync(
            $"CREATE TEMP TABLE {staging} (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP", transaction, cancellationToken).ConfigureAwait(false);
        await CopyAsync(connection, staging, columns, types, rows, key, fill, cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            $"INSERT INTO {table} ({columnList}) SELECT {columnList} FROM {staging} {onConflict}",
            transaction, BulkCommandTimeoutSeconds, cancellationToken).ConfigureAwait(false);
    }

    /// <param name="key">The key to copy in order of; null to copy in the given order.</param>
    private static async Task CopyAsync<T>(NpgsqlConnection connection, string table, string[] columns, NpgsqlDbType[] types, IReadOnlyList<T> rows, Func<T, string>? key, Action<T, object?[]> fill, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }
        // In key order: the staging table is then read back (sequentially) in index order too.
        var order = key is null ? Enumerable.Range(0, rows.Count).ToArray() : Rows.KeyOrder(rows, key);
        // An importer disposed before Complete aborts the COPY; the caller's transaction then rolls back.
        await using var importer = await connection.BeginBinaryImportAsync(
            $"COPY {table} ({string.Join(", ", columns)}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        importer.Timeout = TimeSpan.FromSeconds(BulkCommandTimeoutSeconds);
        var values = new object?[columns.Length];
        for (var n = 0; n < order.Length; n++)
        {
            if (n % CancelCheckEvery == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            fill(rows[order[n]], values);
            await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < values.Length; i++)
            {
                // Typed writes: Write<object> would look the converter up again for every value.
                var write = values[i] switch
                {
                    null => importer.WriteNullAsync(cancellationToken),
                    string text => importer.WriteAsync(text, types[i], cancellationToken),
                    bool flag => importer.WriteAsync(flag, types[i], cancellationToken),
                    int number => importer.WriteAsync(number, types[i], cancellationToken),
                    long number => importer.WriteAsync(number, types[i], cancellationToken),
                    DateTimeOffset time => importer.WriteAsync(time, types[i], cancellationToken),
                    byte[] bytes => importer.WriteAsync(bytes, types[i], cancellationToken),
                    var other => throw new InvalidOperationException($"no COPY writer for {other.GetType()}"),
                };
                await write.ConfigureAwait(false);
            }
        }
        await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    public override ValueTask DisposeAsync() => dataSource.DisposeAsync();
}
