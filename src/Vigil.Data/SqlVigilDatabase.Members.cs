using System.Data.Common;

namespace Vigil.Data;

/// <summary>
/// How a revision's FOD memberships are stored (schema v11): whole, or as the difference from the
/// newest revision stored whole, when that difference is small. A rescan of a slightly changed
/// package set then writes what changed, not every FOD again. Readers see no difference: they read
/// the <c>revision_members</c> view, which applies the difference to its base.
/// </summary>
internal abstract partial class SqlVigilDatabase
{
    /// <summary>
    /// A difference with more rows than this share of the revision's FODs is stored whole instead:
    /// reading a revision stored as a difference costs a probe per row of its base.
    /// </summary>
    private const int DeltaAtMostOneIn = 4;

    /// <summary>
    /// Appended to the query that picks the base, to hold its row until the save commits: a
    /// concurrent save that replaces or deletes the base then waits, and stores this revision whole
    /// first (<see cref="DetachDependentsAsync"/>) instead of pulling its base rows from under it.
    /// Empty where a write transaction already excludes every other writer (SQLite).
    /// </summary>
    protected virtual string ShareLockSuffix => "";

    /// <summary>The <c>attr_count</c> of a row that removes an FOD of the base from the revision.</summary>
    private const int RemovedFromBase = -1;

    /// <summary>
    /// The base to store <paramref name="fods"/> against and the rows to store: the difference from
    /// the newest revision stored whole, or, with no base, every FOD.
    /// </summary>
    private async Task<(long? BaseId, IReadOnlyList<RevisionFod> Rows)> MembershipRowsAsync(DbConnection connection, DbTransaction transaction, long revisionId, IReadOnlyList<RevisionFod> fods, CancellationToken ct)
    {
        if (fods.Count < DeltaAtMostOneIn)
        {
            return (null, fods);
        }
        var bases = await connection.QueryAsync(
            "SELECT id, fod_count FROM revisions WHERE id <> @id AND fods_base_id IS NULL AND fod_count > 0 ORDER BY scanned_at DESC, id DESC LIMIT 1" + ShareLockSuffix,
            r => (Id: r.GetInt64(0), Count: r.GetInt32(1)), transaction, ct, ("id", revisionId)).ConfigureAwait(false);
        var most = fods.Count / DeltaAtMostOneIn;
        // A difference in size alone too large: not worth reading the base to find out.
        if (bases.Count == 0 || Math.Abs(bases[0].Count - fods.Count) > most)
        {
            return (null, fods);
        }
        var baseRows = await connection.QueryAsync("SELECT drv_path, attrs, attr_count FROM revision_fods WHERE revision_id = @base",
            r => (Path: r.GetString(0), Attrs: r.GetString(1), Count: r.GetInt32(2)), transaction, ct, ("base", bases[0].Id)).ConfigureAwait(false);
        var inBase = baseRows.ToDictionary(b => b.Path, b => (b.Attrs, b.Count), StringComparer.Ordinal);
        var rows = new List<RevisionFod>();
        foreach (var fod in fods)
        {
            if (inBase.Remove(fod.DrvPath, out var stored) && stored.Count == fod.AttrCount && stored.Attrs == TextList.Join(fod.Attrs))
            {
                continue;
            }
            rows.Add(fod);
            if (rows.Count > most)
            {
                return (null, fods);
            }
        }
        if (rows.Count + inBase.Count > most)
        {
            return (null, fods);
        }
        rows.AddRange(inBase.Keys.Select(path => new RevisionFod(path, [], RemovedFromBase)));
        return (bases[0].Id, rows);
    }

    /// <summary>
    /// Stores whole every revision stored as a difference from <paramref name="baseId"/>, whose rows
    /// are about to be replaced or deleted: its base rows are copied in and its removals dropped.
    /// </summary>
    private static Task DetachDependentsAsync(DbConnection connection, DbTransaction transaction, long baseId, CancellationToken ct) =>
        connection.ExecuteAsync(
            "INSERT INTO revision_fods (revision_id, drv_path, attrs, attr_count) " +
            "SELECT d.id, b.drv_path, b.attrs, b.attr_count FROM revisions d JOIN revision_fods b ON b.revision_id = d.fods_base_id " +
            "WHERE d.fods_base_id = @id AND NOT EXISTS (SELECT 1 FROM revision_fods o WHERE o.revision_id = d.id AND o.drv_path = b.drv_path); " +
            "DELETE FROM revision_fods WHERE attr_count < 0 AND revision_id IN (SELECT d.id FROM revisions d WHERE d.fods_base_id = @id); " +
            "UPDATE revisions SET fods_base_id = NULL WHERE fods_base_id = @id",
            transaction, ct, ("id", baseId));
}
