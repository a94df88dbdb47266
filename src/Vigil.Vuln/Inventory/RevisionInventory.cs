using Vigil.Data;

namespace Vigil.Vuln.Inventory;

/// <summary>Loads a stored revision's package inventory: its roots, the closure of their derivations (level by level, by id) and its FODs.</summary>
public static class RevisionInventory
{
    public static async Task<List<InventoryPackage>> LoadAsync(VigilDatabase database, RevisionInfo revision, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(revision);
        var roots = await database.ListRootsAsync(revision.Id, cancellationToken).ConfigureAwait(false);
        var fods = await database.ListSourceFodsAsync(revision.Id, cancellationToken).ConfigureAwait(false);
        var closure = new Dictionary<long, DrvNode>();
        var level = await database.FindDrvNodesAsync(roots.Select(r => r.DrvPath).Distinct(StringComparer.Ordinal).ToList(), cancellationToken).ConfigureAwait(false);
        while (level.Count > 0)
        {
            var next = new HashSet<long>();
            foreach (var node in level)
            {
                closure[node.Id] = node;
            }
            foreach (var node in level)
            {
                foreach (var input in node.InputIds)
                {
                    if (!closure.ContainsKey(input))
                    {
                        next.Add(input);
                    }
                }
            }
            level = next.Count == 0 ? [] : await database.LoadDrvNodesAsync(next, cancellationToken).ConfigureAwait(false);
        }
        return InventoryBuilder.Build(roots, closure.Values, fods);
    }
}
