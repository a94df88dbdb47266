namespace Vigil.Farm.Graph;

/// <summary>
/// Says which output paths already exist where builders will get them (the local store, the binary
/// cache): a derivation whose outputs all exist is not built, and its inputs are not walked (the cutoff).
/// </summary>
public interface IOutputOracle
{
    /// <summary>Those of <paramref name="outputPaths"/> that exist.</summary>
    Task<IReadOnlySet<string>> FindPresentAsync(IReadOnlyCollection<string> outputPaths, CancellationToken cancellationToken);
}
