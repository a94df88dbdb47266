using Vigil.Store.Provenance;

namespace Vigil.Farm.Graph;

/// <summary>
/// Existing outputs according to real stores: a local store (<see cref="LocalStoreOrigins"/>, Nix's
/// <c>db.sqlite</c> read-only) and binary caches (<see cref="BinaryCacheOrigins"/>, by
/// <c>.narinfo</c>), asked in order, each only for what the ones before did not have.
/// </summary>
public sealed class StoreOutputOracle : IOutputOracle
{
    private readonly IStoreObjectOrigins[] stores;

    public StoreOutputOracle(params IStoreObjectOrigins[] stores)
    {
        ArgumentNullException.ThrowIfNull(stores);
        this.stores = stores;
    }

    public async Task<IReadOnlySet<string>> FindPresentAsync(IReadOnlyCollection<string> outputPaths, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outputPaths);
        var present = new HashSet<string>(StringComparer.Ordinal);
        var missing = outputPaths;
        foreach (var store in stores)
        {
            if (missing.Count == 0)
            {
                break;
            }
            var found = await store.FindAsync(missing, cancellationToken).ConfigureAwait(false);
            present.UnionWith(found.Keys);
            missing = missing.Where(p => !present.Contains(p)).ToList();
        }
        return present;
    }
}
