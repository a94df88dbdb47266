using System.Buffers;
using System.Data.Common;
using Vigil.Nix.Fetchers;

namespace Vigil.Data;

/// <summary>
/// The derivation graph (<c>drvs</c>): ids, a blob of input ids per derivation (<see cref="DrvInputs"/>),
/// and the FOD records written with it. Writers hold the table's write lock for the whole
/// transaction (SQLite's <c>BEGIN IMMEDIATE</c>, PostgreSQL's <c>LOCK TABLE</c>), so ids are handed
/// out by the writer, as <c>MAX(id) + 1…</c>, and known before any row that refers to them is written.
/// </summary>
internal abstract partial class SqlVigilDatabase
{
    private const string DrvNodeSelect = "SELECT id, path, is_fod, inputs FROM drvs WHERE";

    /// <summary>One row of <c>drvs</c> to insert.</summary>
    protected readonly record struct DrvRow(long Id, string Path, bool IsFod, byte[] Inputs);

    /// <summary>SQL that takes the drvs write lock inside a transaction; null when beginning the transaction already did.</summary>
    protected abstract string? LockDrvsSql { get; }

    /// <summary>Runs <paramref name="select"/> (which ends in <c>WHERE</c>) restricted to rows whose <paramref name="keyColumn"/> is one of <paramref name="ids"/>.</summary>
    protected abstract Task QueryByIdsAsync(DbConnection connection, DbTransaction? transaction, string select, string keyColumn, IReadOnlyCollection<long> ids, Action<DbDataReader> onRow, CancellationToken cancellationToken);

    /// <summary>Inserts new <c>drvs</c> rows, given in id order, none of whose paths or ids is stored.</summary>
    protected abstract Task InsertDrvRowsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<DrvRow> rows, CancellationToken cancellationToken);

    /// <summary>Inserts FOD records; ones already stored are left as they are.</summary>
    protected abstract Task InsertFodsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<FodRecord> fods, CancellationToken cancellationToken);

    public override Task<bool> HasDrvsAsync(CancellationToken cancellationToken = default) =>
        GuardAsync("reading derivations", async ct =>
        {
            await using var connection = await OpenConnectionAsync(ct).ConfigureAwait(false);
            return await connection.ExecuteInt64Async("SELECT COUNT(*) FROM (SELECT 1 FROM drvs LIMIT 1) AS any_drv", null, ct).ConfigureAwait(false) > 0;
        }, cancellationToken);

    public override Task<IReadOnlyList<DrvNode>> FindDrvNodesAsync(IReadOnlyCollection<string> drvPaths, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(drvPaths);
        return ReadDrvNodesAsync(drvPaths.Count, (connection, onRow, ct) =>
            QueryByKeysAsync(connection, DrvNodeSelect, "path", drvPaths, onRow, ct), cancellationToken);
    }

    public override Task<IReadOnlyList<DrvNode>> LoadDrvNodesAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return ReadDrvNodesAsync(ids.Count, (connection, onRow, ct) =>
            QueryByIdsAsync(connection, null, DrvNodeSelect, "id", ids, onRow, ct), cancellationToken);
    }

    private async Task<IReadOnlyList<DrvNode>> ReadDrvNodesAsync(int count, Func<DbConnection, Action<DbDataReader>, CancellationToken, Task> query, CancellationToken cancellationToken)
    {
        var found = new List<DrvNode>(count);
        if (count == 0)
        {
            return found;
        }
        await GuardAsync("reading derivations", async ct =>
        {
            await using var connection = await OpenConnectionAsync(ct).ConfigureAwait(false);
            await query(connection, r =>
            {
                // Not GetBytes: Microsoft.Data.Sqlite serves it through an incremental-blob stream that
                // looks the row up again; the whole value is a few bytes.
                var (ids, paths) = DrvInputs.Split(r.GetFieldValue<byte[]>(3));
                found.Add(new DrvNode(r.GetInt64(0), r.GetString(1), r.GetBoolean(2), ids, paths));
            }, ct).ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
        return found;
    }

    public override Task<long[]> WriteDrvNodesAsync(IReadOnlyList<NewDrv> drvs, IReadOnlyList<FodRecord> fods, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(drvs);
        ArgumentNullException.ThrowIfNull(fods);
        foreach (var drv in drvs)
        {
            foreach (var i in drv.BatchInputs)
            {
                ArgumentOutOfRangeException.ThrowIfNegative(i);
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(i, drvs.Count);
            }
        }
        if (drvs.Count == 0 && fods.Count == 0)
        {
            return Task.FromResult(Array.Empty<long>());
        }
        return WriteGraphAsync(drvs.Select(d => d.Path).ToList(), [], (i, ids, _, buffer) =>
        {
            var drv = drvs[i];
            foreach (var id in drv.InputIds)
            {
                DrvInputs.AddId(buffer, id);
            }
            foreach (var b in drv.BatchInputs)
            {
                DrvInputs.AddId(buffer, ids[b]);
            }
            foreach (var path in drv.InputPaths)
            {
                DrvInputs.AddPath(buffer, path);
            }
            return drv.IsFod;
        }, fods, cancellationToken);
    }

    public override async Task<IReadOnlyDictionary<string, StoredDrv>> FindDrvsAsync(IReadOnlyCollection<string> drvPaths, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(drvPaths);
        var found = new Dictionary<string, StoredDrv>(StringComparer.Ordinal);
        if (drvPaths.Count == 0)
        {
            return found;
        }
        await GuardAsync("reading derivations", async ct =>
        {
            await using var connection = await OpenConnectionAsync(ct).ConfigureAwait(false);
            var rows = new List<(string Path, bool IsFod, byte[] Inputs)>();
            await QueryByKeysAsync(connection, DrvNodeSelect, "path", drvPaths,
                r => rows.Add((r.GetString(1), r.GetBoolean(2), r.GetFieldValue<byte[]>(3))), ct).ConfigureAwait(false);
            var inputIds = new HashSet<long>();
            foreach (var row in rows)
            {
                DrvInputs.Decode(row.Inputs, id => inputIds.Add(id), _ => { });
            }
            var paths = new Dictionary<long, string>();
            await QueryByIdsAsync(connection, null, "SELECT id, path FROM drvs WHERE", "id", inputIds,
                r => paths[r.GetInt64(0)] = r.GetString(1), ct).ConfigureAwait(false);
            foreach (var (path, isFod, blob) in rows)
            {
                var inputs = new List<string>();
                DrvInputs.Decode(blob,
                    id => inputs.Add(paths.TryGetValue(id, out var p) ? p : throw new InvalidDataException($"stored derivation {path} names input id {id}, which has no row")),
                    inputs.Add);
                found[path] = new StoredDrv(path, isFod, inputs);
            }
            return 0;
        }, cancellationToken).ConfigureAwait(false);
        return found;
    }

    public override Task WriteDrvsAsync(IReadOnlyList<StoredDrv> drvs, IReadOnlyList<FodRecord> fods, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(drvs);
        ArgumentNullException.ThrowIfNull(fods);
        if (drvs.Count == 0 && fods.Count == 0)
        {
            return Task.CompletedTask;
        }
        // Inputs named by path: an input stored (or in this batch) becomes its id, any other stays a path.
        var inputs = drvs.SelectMany(d => d.InputDrvs).ToList();
        return WriteGraphAsync(drvs.Select(d => d.DrvPath).ToList(), inputs, (i, _, idOf, buffer) =>
        {
            foreach (var input in drvs[i].InputDrvs)
            {
                if (idOf(input) is { } id)
                {
                    DrvInputs.AddId(buffer, id);
                }
                else
                {
                    DrvInputs.AddPath(buffer, input);
                }
            }
            return drvs[i].IsFod;
        }, fods, cancellationToken);
    }

    /// <summary>
    /// The one write path of the graph: under the drvs lock, finds which of <paramref name="paths"/>
    /// (and <paramref name="alsoLookUp"/>) are stored, hands the others the next ids, has
    /// <paramref name="encode"/> write each new entry's inputs (given every entry's id and a lookup
    /// of any path's id) and return whether it is an FOD, and inserts the rows and the FOD records.
    /// </summary>
    private Task<long[]> WriteGraphAsync(
        IReadOnlyList<string> paths,
        IReadOnlyList<string> alsoLookUp,
        Func<int, long[], Func<string, long?>, ArrayBufferWriter<byte>, bool> encode,
        IReadOnlyList<FodRecord> fods,
        CancellationToken cancellationToken) =>
        GuardAsync("writing derivations", async ct =>
        {
            await using var connection = await OpenConnectionAsync(ct).ConfigureAwait(false);
            await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            if (LockDrvsSql is { } lockSql)
            {
                await using var lockCommand = connection.CreateCommand();
                lockCommand.Transaction = tx;
                lockCommand.CommandText = lockSql;
                await lockCommand.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            var ids = new long[paths.Count];
            var rows = new List<DrvRow>();
            if (paths.Count > 0)
            {
                var known = new Dictionary<string, long>(paths.Count, StringComparer.Ordinal);
                var keys = new HashSet<string>(paths, StringComparer.Ordinal);
                keys.UnionWith(alsoLookUp);
                await QueryByKeysAsync(connection, tx, "SELECT path, id FROM drvs WHERE", "path", keys,
                    r => known[r.GetString(0)] = r.GetInt64(1), ct).ConfigureAwait(false);
                await using (var max = connection.CreateCommand())
                {
                    max.Transaction = tx;
                    max.CommandText = "SELECT COALESCE(MAX(id), 0) FROM drvs";
                    var next = Convert.ToInt64(await max.ExecuteScalarAsync(ct).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) + 1;
                    var fresh = new bool[paths.Count];
                    for (var i = 0; i < paths.Count; i++)
                    {
                        if (known.TryGetValue(paths[i], out var id))
                        {
                            ids[i] = id;
                            continue;
                        }
                        ids[i] = next++;
                        known[paths[i]] = ids[i];
                        fresh[i] = true;
                    }
                    var buffer = new ArrayBufferWriter<byte>(256);
                    long? IdOf(string path) => known.TryGetValue(path, out var id) ? id : null;
                    for (var i = 0; i < paths.Count; i++)
                    {
                        if (!fresh[i])
                        {
                            continue;
                        }
                        buffer.ResetWrittenCount();
                        var isFod = encode(i, ids, IdOf, buffer);
                        rows.Add(new DrvRow(ids[i], paths[i], isFod, buffer.WrittenSpan.ToArray()));
                    }
                }
            }
            await InsertDrvRowsAsync(connection, tx, rows, ct).ConfigureAwait(false);
            await InsertFodsAsync(connection, tx, fods, ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            return ids;
        }, cancellationToken);
}
