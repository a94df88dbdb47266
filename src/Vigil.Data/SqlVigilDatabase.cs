using System.Data.Common;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Vigil.Nix.Fetchers;

namespace Vigil.Data;

/// <summary>
/// What both dialects share: migrations, the revision upsert, every read query, row decoding and
/// the translation of provider failures into <see cref="VigilDatabaseException"/>. The dialects
/// supply connections, time columns, key-set lookups and their bulk-write paths.
/// </summary>
internal abstract partial class SqlVigilDatabase : VigilDatabase
{
    // Bootstrap of the version table itself: plain SQL both dialects accept.
    private const string CreateSchemaVersion =
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)";

    private const string RevisionColumns = "id, name, target, scanned_at, root_count, fod_count, eval_error_count";

    private readonly DatabaseLocation location;
    private readonly TimeProvider time;

    protected SqlVigilDatabase(DatabaseLocation location, TimeProvider time)
    {
        this.location = location;
        this.time = time;
    }

    public override string Description => location.Description;

    protected string ConnectionString => location.ConnectionString;

    protected abstract ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>SQL run first in the migration transaction so concurrent openers migrate one at a time; null when the transaction already serialises.</summary>
    protected abstract string? MigrationLockSql { get; }

    protected abstract object ToDbTime(DateTimeOffset value);

    protected abstract DateTimeOffset ReadTime(DbDataReader reader, int ordinal);

    /// <summary>Runs <paramref name="select"/> (which ends in <c>WHERE</c>) restricted to rows whose <paramref name="keyColumn"/> is one of <paramref name="keys"/>.</summary>
    protected abstract Task QueryByKeysAsync(DbConnection connection, string select, string keyColumn, IReadOnlyCollection<string> keys, Action<DbDataReader> onRow, CancellationToken cancellationToken);

    protected abstract Task InsertRevisionChildrenAsync(DbConnection connection, DbTransaction transaction, long revisionId, IReadOnlyList<RevisionRoot> roots, IReadOnlyList<RevisionFod> fods, IReadOnlyList<EvalErrorRecord> errors, CancellationToken cancellationToken);

    protected abstract bool IsForeignKeyViolation(DbException exception);

    /// <summary>Applies every migration the database has not recorded, in version order, in one transaction.</summary>
    internal Task MigrateAsync(CancellationToken cancellationToken) => GuardAsync("opening", async ct =>
    {
        await using var connection = await OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        if (MigrationLockSql is { } lockSql)
        {
            await connection.ExecuteAsync(lockSql, tx, ct).ConfigureAwait(false);
        }
        await connection.ExecuteAsync(CreateSchemaVersion, tx, ct).ConfigureAwait(false);
        var current = await connection.ExecuteInt64Async("SELECT COALESCE(MAX(version), 0) FROM schema_version", tx, ct).ConfigureAwait(false);
        var applied = (await connection.QueryInt64sAsync("SELECT version FROM schema_version", tx, ct).ConfigureAwait(false)).ToHashSet();
        var latest = SchemaMigrations.Latest;
        if (current > latest)
        {
            throw new VigilDatabaseException(Description,
                $"schema version {current} is newer than this Vigil knows (up to {latest}); use a newer Vigil or another database");
        }
        foreach (var migration in SchemaMigrations.For(location.Kind))
        {
            if (applied.Contains(migration.Version))
            {
                continue;
            }
            await connection.ExecuteAsync(migration.Sql, tx, ct).ConfigureAwait(false);
            await connection.ExecuteAsync(
                "INSERT INTO schema_version (version, description, applied_at) VALUES (@version, @description, @appliedAt)", tx, ct,
                ("version", migration.Version), ("description", migration.Description), ("appliedAt", time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture))).ConfigureAwait(false);
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return 0;
    }, cancellationToken);

    public override async Task<IReadOnlyDictionary<string, FodRecord>> FindFodsAsync(IReadOnlyCollection<string> drvPaths, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(drvPaths);
        var found = new Dictionary<string, FodRecord>(StringComparer.Ordinal);
        if (drvPaths.Count == 0)
        {
            return found;
        }
        await GuardAsync("reading FOD records", async ct =>
        {
            await using var connection = await OpenConnectionAsync(ct).ConfigureAwait(false);
            await QueryByKeysAsync(connection, $"SELECT {Rows.List(Rows.FodColumns)} FROM fods WHERE", "drv_path", drvPaths,
                r =>
                {
                    var fod = Rows.ReadFod(r);
                    found[fod.DrvPath] = fod;
                }, ct).ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
        return found;
    }

    public override async Task<IReadOnlyList<HistoricFod>> FindFodsByHashAsync(IReadOnlyCollection<string> hashes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        var found = new List<HistoricFod>();
        if (hashes.Count == 0)
        {
            return found;
        }
        // Probes revision_members (revision_fods by its primary key) revision by revision: it has no index by drv_path (schema v10).
        const string FirstRevision =
            "(SELECT r.name FROM revisions r WHERE EXISTS (SELECT 1 FROM revision_members rf WHERE rf.revision_id = r.id AND rf.drv_path = f.drv_path) " +
            "ORDER BY r.scanned_at, r.id LIMIT 1)";
        await GuardAsync("reading FOD records by hash", async ct =>
        {
            await using var connection = await OpenConnectionAsync(ct).ConfigureAwait(false);
            await QueryByKeysAsync(connection, $"SELECT {Rows.List(Rows.FodColumns, "f.")}, {FirstRevision} FROM fods f WHERE", "f.hash_sri", hashes,
                r => found.Add(new HistoricFod(Rows.ReadFod(r), r.IsDBNull(Rows.FodColumns.Length) ? null : r.GetString(Rows.FodColumns.Length))), ct).ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
        // Key-set lookups come back in chunk order; callers and tests want one order on every dialect.
        found.Sort((a, b) => string.CompareOrdinal(a.Fod.DrvPath, b.Fod.DrvPath));
        return found;
    }

    public override Task<RevisionInfo> SaveRevisionAsync(string name, string target, IReadOnlyList<RevisionRoot> roots, IReadOnlyList<RevisionFod> fods, IReadOnlyList<EvalErrorRecord> errors, RevisionGraph? graph = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(roots);
        ArgumentNullException.ThrowIfNull(fods);
        ArgumentNullException.ThrowIfNull(errors);
        RejectDuplicates(roots, r => r.Attr, "root attribute", nameof(roots));
        RejectDuplicates(fods, f => f.DrvPath, "FOD", nameof(fods));
        // Microseconds: what both dialects store, so a saved revision reads back equal.
        var now = time.GetUtcNow();
        var scannedAt = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % 10), TimeSpan.Zero);
        return GuardAsync($"saving revision '{name}'", async ct =>
        {
            await using var connection = await OpenConnectionAsync(ct).ConfigureAwait(false);
            await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            // An upsert keeps the revision's id across rescans; its children are replaced wholesale.
            var id = await connection.ExecuteInt64Async(
                """
                INSERT INTO revisions (name, target, scanned_at, root_count, fod_count, eval_error_count)
                VALUES (@name, @target, @scannedAt, @rootCount, @fodCount, @errorCount)
                ON CONFLICT (name) DO UPDATE SET target = excluded.target, scanned_at = excluded.scanned_at,
                    root_count = excluded.root_count, fod_count = excluded.fod_count, eval_error_count = excluded.eval_error_count
                RETURNING id
                """, tx, ct,
                ("name", name), ("target", target), ("scannedAt", ToDbTime(scannedAt)), ("rootCount", roots.Count), ("fodCount", fods.Count), ("errorCount", errors.Count)).ConfigureAwait(false);
            await DetachDependentsAsync(connection, tx, id, ct).ConfigureAwait(false);
            await connection.ExecuteAsync(
                "DELETE FROM revision_roots WHERE revision_id = @id; DELETE FROM revision_fods WHERE revision_id = @id; DELETE FROM eval_errors WHERE revision_id = @id",
                tx, ct, ("id", id)).ConfigureAwait(false);
            var (baseId, members) = await MembershipRowsAsync(connection, tx, id, fods, ct).ConfigureAwait(false);
            await connection.ExecuteAsync("UPDATE revisions SET fods_base_id = @base WHERE id = @id", tx, ct, ("base", baseId), ("id", id)).ConfigureAwait(false);
            try
            {
                await InsertRevisionChildrenAsync(connection, tx, id, roots, members, errors, ct).ConfigureAwait(false);
            }
            catch (DbException ex) when (IsForeignKeyViolation(ex))
            {
                throw new VigilDatabaseException(Description,
                    $"revision '{name}' names FODs whose records are not stored (write them with WriteFodsAsync first); nothing was saved", ex);
            }
            await ReplaceGraphAsync(connection, tx, id, graph, ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return new RevisionInfo(id, name, target, scannedAt, roots.Count, fods.Count, errors.Count);
        }, cancellationToken);
    }

    public override Task<bool> DeleteRevisionAsync(long revisionId, CancellationToken cancellationToken = default) =>
        GuardAsync("deleting a revision", async ct =>
        {
            await using var connection = await OpenConnectionAsync(ct).ConfigureAwait(false);
            await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await DetachDependentsAsync(connection, tx, revisionId, ct).ConfigureAwait(false);
            await DetachGraphDependentsAsync(connection, tx, revisionId, ct).ConfigureAwait(false);
            // The children go by ON DELETE CASCADE (SQLite connections enable foreign keys).
            var deleted = await connection.ExecuteCountAsync("DELETE FROM revisions WHERE id = @id", tx, ct, ("id", revisionId)).ConfigureAwait(false) > 0;
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return deleted;
        }, cancellationToken);

    public override Task<IReadOnlyList<RevisionInfo>> ListRevisionsAsync(CancellationToken cancellationToken = default) =>
        QueryListAsync("listing revisions", $"SELECT {RevisionColumns} FROM revisions ORDER BY scanned_at, id", ReadRevision, cancellationToken);

    public override async Task<RevisionInfo?> FindRevisionAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var found = await QueryListAsync($"finding revision '{name}'", $"SELECT {RevisionColumns} FROM revisions WHERE name = @name", ReadRevision, cancellationToken, ("name", name)).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    public override Task<IReadOnlyList<StoredFod>> ListFodsAsync(long revisionId, CancellationToken cancellationToken = default) =>
        QueryListAsync("listing FODs",
            $"SELECT {Rows.List(Rows.FodColumns, "f.")}, rf.attrs, rf.attr_count FROM revision_members rf JOIN fods f ON f.drv_path = rf.drv_path WHERE rf.revision_id = @revisionId ORDER BY rf.drv_path",
            ReadStoredFod,
            cancellationToken, ("revisionId", revisionId));

    public override Task<IReadOnlyList<SourceFod>> ListSourceFodsAsync(long revisionId, CancellationToken cancellationToken = default) =>
        QueryListAsync("listing FOD sources",
            "SELECT f.drv_path, f.name, f.urls, rf.attrs FROM revision_members rf JOIN fods f ON f.drv_path = rf.drv_path WHERE rf.revision_id = @revisionId ORDER BY rf.drv_path",
            static r => new SourceFod(r.GetString(0), r.GetString(1), TextList.Split(r.GetString(2)), TextList.Split(r.GetString(3))),
            cancellationToken, ("revisionId", revisionId));

    private static StoredFod ReadStoredFod(DbDataReader r) =>
        new(Rows.ReadFod(r), TextList.Split(r.GetString(Rows.FodColumns.Length)), r.GetInt32(Rows.FodColumns.Length + 1));

    public override Task<IReadOnlyList<StoredFod>> ListFodsNotInAsync(long revisionId, long otherRevisionId, CancellationToken cancellationToken = default) =>
        QueryListAsync("listing changed FODs",
            $"SELECT {Rows.List(Rows.FodColumns, "f.")}, rf.attrs, rf.attr_count FROM revision_members rf JOIN fods f ON f.drv_path = rf.drv_path " +
            // Nested so that the planner looks FODs up by output/recipe index first; as a join, SQLite scanned the other revision per row.
            "WHERE rf.revision_id = @revisionId AND NOT EXISTS (SELECT 1 FROM fods o WHERE o.output_path = f.output_path AND o.recipe_hash = f.recipe_hash " +
            "AND EXISTS (SELECT 1 FROM revision_members ro WHERE ro.revision_id = @otherRevisionId AND ro.drv_path = o.drv_path)) ORDER BY rf.drv_path",
            ReadStoredFod,
            cancellationToken, ("revisionId", revisionId), ("otherRevisionId", otherRevisionId));

    public override async Task<IReadOnlyList<StoredFod>> FindFodsByOutputPathAsync(long revisionId, IReadOnlyCollection<string> outputPaths, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outputPaths);
        var found = new List<StoredFod>();
        if (outputPaths.Count == 0)
        {
            return found;
        }
        await GuardAsync("reading FODs by output path", async ct =>
        {
            await using var connection = await OpenConnectionAsync(ct).ConfigureAwait(false);
            // Key-set lookups take no extra parameters: the revision is a number, written into the text.
            var select = string.Create(CultureInfo.InvariantCulture,
                $"SELECT {Rows.List(Rows.FodColumns, "f.")}, rf.attrs, rf.attr_count FROM revision_members rf JOIN fods f ON f.drv_path = rf.drv_path WHERE rf.revision_id = {revisionId} AND");
            await QueryByKeysAsync(connection, select, "f.output_path", outputPaths, r => found.Add(ReadStoredFod(r)), ct).ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
        found.Sort((a, b) => string.CompareOrdinal(a.Fod.DrvPath, b.Fod.DrvPath));
        return found;
    }

    public override Task<IReadOnlyList<RevisionRoot>> ListRootsAsync(long revisionId, CancellationToken cancellationToken = default) =>
        QueryListAsync("listing roots", "SELECT attr, drv_path FROM revision_roots WHERE revision_id = @revisionId ORDER BY attr",
            r => new RevisionRoot(r.GetString(0), r.GetString(1)), cancellationToken, ("revisionId", revisionId));

    public override Task<IReadOnlyList<EvalErrorRecord>> ListEvalErrorsAsync(long revisionId, CancellationToken cancellationToken = default) =>
        QueryListAsync("listing evaluation errors", "SELECT attr, message FROM eval_errors WHERE revision_id = @revisionId ORDER BY attr, message",
            r => new EvalErrorRecord(r.GetString(0), r.GetString(1)), cancellationToken, ("revisionId", revisionId));

    private RevisionInfo ReadRevision(DbDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), r.GetString(2), ReadTime(r, 3), r.GetInt32(4), r.GetInt32(5), r.GetInt32(6));

    private Task<IReadOnlyList<T>> QueryListAsync<T>(string operation, string sql, Func<DbDataReader, T> read, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        GuardAsync(operation, async ct =>
        {
            await using var connection = await OpenConnectionAsync(ct).ConfigureAwait(false);
            return await connection.QueryAsync(sql, read, ct, parameters).ConfigureAwait(false);
        }, cancellationToken);

    private static void RejectDuplicates<T>(IReadOnlyList<T> items, Func<T, string> key, string what, string parameter)
    {
        var seen = new HashSet<string>(items.Count, StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (!seen.Add(key(item)))
            {
                throw new ArgumentException($"{what} '{key(item)}' is listed twice", parameter);
            }
        }
    }

    /// <summary>
    /// Runs one database operation and turns what the provider or the network throws into one
    /// clear <see cref="VigilDatabaseException"/> naming this database. Cancellation stays
    /// cancellation, even when the provider reports it as a broken connection.
    /// </summary>
    protected async Task<T> GuardAsync<T>(string operation, Func<CancellationToken, Task<T>> run, CancellationToken cancellationToken)
    {
        try
        {
            return await run(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsProviderFailure(ex) && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException($"{operation} on {Description} was cancelled", ex, cancellationToken);
        }
        catch (Exception ex) when (IsProviderFailure(ex))
        {
            throw new VigilDatabaseException(Description, $"{operation} failed: {Reasons(ex)}", ex);
        }
    }

    private static bool IsProviderFailure(Exception ex) =>
        ex is DbException or SocketException or IOException or TimeoutException or InvalidDataException;

    // Provider messages are terse at each level ("Failed to connect to …" over "Connection refused"); one line with all of them is the clear one.
    private static string Reasons(Exception ex)
    {
        var sb = new StringBuilder();
        for (var e = ex; e is not null; e = e.InnerException)
        {
            var message = e.Message.ReplaceLineEndings(" ").Trim();
            if (message.Length == 0 || sb.ToString().Contains(message, StringComparison.Ordinal))
            {
                continue;
            }
            if (sb.Length > 0)
            {
                sb.Append(": ");
            }
            sb.Append(message);
        }
        return sb.ToString();
    }
}
