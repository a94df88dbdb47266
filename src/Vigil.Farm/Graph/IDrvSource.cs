namespace Vigil.Farm.Graph;

/// <summary>Reads derivations for the closure walk: a Nix store (<see cref="StoreDrvSource"/>) or a graph held in memory (<see cref="InMemoryDrvSource"/>).</summary>
public interface IDrvSource
{
    /// <summary>The derivations at <paramref name="drvPaths"/>, in the same order.</summary>
    /// <exception cref="Vigil.Store.StoreException">A derivation cannot be read or is malformed.</exception>
    IReadOnlyList<DrvInfo> Load(IReadOnlyList<string> drvPaths, CancellationToken cancellationToken);
}
