using Vigil.Data;

namespace Vigil.Vuln.Inventory;

/// <summary>Loads a stored revision's package inventory: its roots, the derivation graph stored with it and its FODs.</summary>
public static class RevisionInventory
{
    /// <returns>The packages, and whether the revision had a graph (without one, its roots are the packages).</returns>
    public static async Task<(List<InventoryPackage> Packages, bool HasGraph)> LoadAsync(VigilDatabase database, RevisionInfo revision, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(revision);
        var roots = await database.ListRootsAsync(revision.Id, cancellationToken).ConfigureAwait(false);
        var fods = await database.ListSourceFodsAsync(revision.Id, cancellationToken).ConfigureAwait(false);
        var graph = await database.LoadGraphAsync(revision.Id, cancellationToken).ConfigureAwait(false);
        return (InventoryBuilder.Build(roots, graph, fods), graph is { Count: > 0 });
    }
}
