using System.Data.Common;
using Vigil.Nix.Fetchers;

namespace Vigil.Data;

/// <summary>FOD records and the derivation graph stored with each revision (<see cref="RevisionGraph"/>).</summary>
internal abstract partial class SqlVigilDatabase
{
    private const string GraphSelect = "SELECT g.graph FROM revision_graphs g";
    private const string GraphIds = "SELECT g.revision_id FROM revision_graphs g JOIN revisions r ON r.id = g.revision_id";
    private const string NewestFirst = "ORDER BY r.scanned_at DESC, r.id DESC";

    /// <summary>Inserts FOD records; ones already stored are left as they are.</summary>
    protected abstract Task InsertFodsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<FodRecord> fods, CancellationToken cancellationToken);

    public override Task WriteFodsAsync(IReadOnlyList<FodRecord> fods, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fods);
        if (fods.Count == 0)
        {
            return Task.CompletedTask;
        }
        return GuardAsync("writing FOD records", async ct =>
        {
            await using var connection = await OpenConnectionAsync(ct).ConfigureAwait(false);
            await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await InsertFodsAsync(connection, tx, fods, ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            AfterBulkWrite(fods.Count);
            return 0;
        }, cancellationToken);
    }

    /// <summary>Called after a bulk write of <paramref name="rows"/> rows has committed.</summary>
    protected virtual void AfterBulkWrite(int rows)
    {
    }

    // A graph row is chosen by id first (GraphIds) and read after: ordering rows with the blob among
    // them made SQLite copy every kept graph into a temporary sorter. On the bench set's 3.2 MB
    // graphs that took 27 ms instead of 5 with two stored, and 170-330 ms instead of 3 with the 20
    // that KeptGraphs allows. Any column stored after the blob (base_id, stamp) costs a walk along
    // its overflow pages too: 10 ms to order 20 whole graphs with their stamps.
    public override Task<RevisionGraph?> LoadLatestGraphAsync(CancellationToken cancellationToken = default) =>
        LoadGraphAsync($"({GraphIds} {NewestFirst} LIMIT 1)", cancellationToken);

    public override Task<RevisionGraph?> LoadGraphAsync(long revisionId, CancellationToken cancellationToken = default) =>
        LoadGraphAsync("@id", cancellationToken, ("id", revisionId));

    /// <summary>A transaction in which every read sees the same state of the database, and which writes nothing.</summary>
    protected abstract ValueTask<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>A whole graph decoded or saved earlier: the base of later differences while its row keeps <paramref name="Stamp"/>.</summary>
    private sealed record DecodedGraph(long RevisionId, long Stamp, RevisionGraph Graph);

    // One, the last: a scan loads the latest graph, whose base (or itself) is what its save will
    // store the difference from, so the save need not read and decode that base again.
    private volatile DecodedGraph? _lastWholeGraph;

    private Task<RevisionGraph?> LoadGraphAsync(string revision, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        GuardAsync("reading a revision's derivation graph", async ct =>
        {
            await using var connection = await OpenConnectionAsync(ct).ConfigureAwait(false);
            // One snapshot for a difference and its base: a rescan of the base stores its dependents
            // whole first, and a read between the two would pair a difference with another base.
            await using var tx = await BeginSnapshotAsync(connection, ct).ConfigureAwait(false);
            // Not GetStream: Microsoft.Data.Sqlite would serve it through an incremental-blob stream.
            var rows = await connection.QueryAsync(
                $"SELECT g.revision_id, g.graph, g.stamp, g.base_id, b.stamp FROM revision_graphs g LEFT JOIN revision_graphs b ON b.revision_id = g.base_id WHERE g.revision_id = {revision}",
                r => (Id: r.GetInt64(0), Blob: r.GetFieldValue<byte[]>(1), Stamp: r.GetInt64(2), BaseId: r.IsDBNull(3) ? (long?)null : r.GetInt64(3), BaseStamp: r.IsDBNull(4) ? 0 : r.GetInt64(4)),
                tx, ct, parameters).ConfigureAwait(false);
            if (rows.Count == 0)
            {
                return null;
            }
            var row = rows[0];
            try
            {
                if (row.BaseId is not { } baseId)
                {
                    var whole = RevisionGraph.Decode(row.Blob);
                    _lastWholeGraph = new DecodedGraph(row.Id, row.Stamp, whole);
                    return whole;
                }
                var @base = await WholeGraphAsync(connection, tx, baseId, row.BaseStamp, ct).ConfigureAwait(false);
                return RevisionGraph.Decode(row.Blob, @base);
            }
            catch (InvalidDataException e)
            {
                throw new VigilDatabaseException(Description, $"the stored derivation graph is corrupt ({e.Message}); rescan the revision, or delete it, to replace it", e);
            }
        }, cancellationToken);

    /// <summary>The whole graph stored with <paramref name="revisionId"/>, whose row holds <paramref name="stamp"/>: the one decoded last if it is that one.</summary>
    /// <exception cref="InvalidDataException">The stored graph is corrupt, or not whole.</exception>
    private async Task<RevisionGraph> WholeGraphAsync(DbConnection connection, DbTransaction transaction, long revisionId, long stamp, CancellationToken ct)
    {
        // Stamp 0: a graph stored before schema v12, which no process has identified.
        if (_lastWholeGraph is { } last && last.RevisionId == revisionId && last.Stamp == stamp && stamp != 0)
        {
            return last.Graph;
        }
        var blobs = await connection.QueryAsync("SELECT graph FROM revision_graphs WHERE revision_id = @id", r => r.GetFieldValue<byte[]>(0), transaction, ct, ("id", revisionId)).ConfigureAwait(false);
        var graph = RevisionGraph.Decode(blobs.Count == 1 ? blobs[0] : throw new InvalidDataException($"the base graph of revision {revisionId} is missing"));
        _lastWholeGraph = new DecodedGraph(revisionId, stamp, graph);
        return graph;
    }

    /// <summary>Replaces the graph of a revision, inside the caller's transaction.</summary>
    private async Task ReplaceGraphAsync(DbConnection connection, DbTransaction transaction, long revisionId, RevisionGraph? graph, CancellationToken ct)
    {
        await DetachGraphDependentsAsync(connection, transaction, revisionId, ct).ConfigureAwait(false);
        await connection.ExecuteAsync("DELETE FROM revision_graphs WHERE revision_id = @id", transaction, ct, ("id", revisionId)).ConfigureAwait(false);
        if (graph is null)
        {
            return;
        }
        var (baseId, blob) = await GraphRowAsync(connection, transaction, revisionId, graph, ct).ConfigureAwait(false);
        var stamp = Random.Shared.NextInt64(1, long.MaxValue);
        await connection.ExecuteAsync("INSERT INTO revision_graphs (revision_id, node_count, graph, base_id, stamp) VALUES (@id, @count, @graph, @base, @stamp)", transaction, ct,
            ("id", revisionId), ("count", graph.Count), ("graph", blob), ("base", baseId), ("stamp", stamp)).ConfigureAwait(false);
        if (baseId is null)
        {
            // Should the transaction roll back, no row will hold this stamp.
            _lastWholeGraph = new DecodedGraph(revisionId, stamp, graph);
        }
        // A base stays while a kept graph needs it; once none does, a later save drops it.
        await connection.ExecuteAsync(
            $"DELETE FROM revision_graphs WHERE revision_id NOT IN ({GraphIds} {NewestFirst} LIMIT {KeptGraphs}) " +
            "AND revision_id NOT IN (SELECT d.base_id FROM revision_graphs d WHERE d.base_id IS NOT NULL)",
            transaction, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// A graph adding more than this share of its nodes to its base is stored whole: the difference
    /// would save less than the rest, and reading it costs decoding the base as well.
    /// </summary>
    private const int GraphAddsAtMostOneIn = 2;

    /// <summary>
    /// The blob to store <paramref name="graph"/> as, and its base: the difference from the newest
    /// graph stored whole when it adds at most half the nodes, else the whole graph. A rescan of a
    /// slightly changed package set then stores the derivations that changed, not the whole closure
    /// again: on the 41k-drv bench set, bumping 1% of the packages changes 6,441 derivations (16%).
    /// </summary>
    private async Task<(long? BaseId, byte[] Blob)> GraphRowAsync(DbConnection connection, DbTransaction transaction, long revisionId, RevisionGraph graph, CancellationToken ct)
    {
        var most = graph.Count / GraphAddsAtMostOneIn;
        var bases = await connection.QueryAsync(
            "SELECT g.revision_id, g.stamp, g.node_count FROM revision_graphs g JOIN revisions r ON r.id = g.revision_id " +
            $"WHERE g.revision_id = ({GraphIds} WHERE g.base_id IS NULL AND g.revision_id <> @id {NewestFirst} LIMIT 1)" + ShareLockSuffix,
            r => (Id: r.GetInt64(0), Stamp: r.GetInt64(1), Count: r.GetInt32(2)), transaction, ct, ("id", revisionId)).ConfigureAwait(false);
        if (bases.Count == 0 || Math.Abs(bases[0].Count - graph.Count) > most)
        {
            return (null, graph.Encode());
        }
        RevisionGraph @base;
        try
        {
            @base = await WholeGraphAsync(connection, transaction, bases[0].Id, bases[0].Stamp, ct).ConfigureAwait(false);
        }
        catch (InvalidDataException)
        {
            // A corrupt base is no base: this graph is stored whole, and a rescan of that revision replaces it.
            return (null, graph.Encode());
        }
        return graph.EncodeDifference(@base, most) is { } difference ? (bases[0].Id, difference) : (null, graph.Encode());
    }

    /// <summary>
    /// Stores whole every graph stored as a difference from the graph of <paramref name="baseId"/>,
    /// which is about to be replaced or deleted. One that cannot be decoded is dropped: a graph only
    /// stands in for <c>.drv</c> files, which a later scan reads again.
    /// </summary>
    private async Task DetachGraphDependentsAsync(DbConnection connection, DbTransaction transaction, long baseId, CancellationToken ct)
    {
        var dependents = await connection.QueryAsync("SELECT d.revision_id, d.graph, b.stamp FROM revision_graphs d JOIN revision_graphs b ON b.revision_id = d.base_id WHERE d.base_id = @id",
            r => (Id: r.GetInt64(0), Blob: r.GetFieldValue<byte[]>(1), BaseStamp: r.GetInt64(2)), transaction, ct, ("id", baseId)).ConfigureAwait(false);
        foreach (var dependent in dependents)
        {
            byte[]? whole;
            try
            {
                var @base = await WholeGraphAsync(connection, transaction, baseId, dependent.BaseStamp, ct).ConfigureAwait(false);
                whole = RevisionGraph.Decode(dependent.Blob, @base).Encode();
            }
            catch (InvalidDataException)
            {
                whole = null;
            }
            await (whole is null
                ? connection.ExecuteAsync("DELETE FROM revision_graphs WHERE revision_id = @id", transaction, ct, ("id", dependent.Id))
                : connection.ExecuteAsync("UPDATE revision_graphs SET graph = @graph, base_id = NULL WHERE revision_id = @id", transaction, ct, ("id", dependent.Id), ("graph", whole))).ConfigureAwait(false);
        }
    }
}
