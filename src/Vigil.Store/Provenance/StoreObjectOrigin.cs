namespace Vigil.Store.Provenance;

/// <summary>
/// What a store or binary cache says about a store path it already holds. An FOD whose output
/// path is already held is never fetched again, so this is where the content really came from.
/// </summary>
/// <param name="Path">The store path.</param>
/// <param name="Source">Who holds it: <c>local store</c>, or the binary cache URL.</param>
/// <param name="ContentAddress">Nix's <c>ca</c> field (<c>fixed:r:sha256:…</c>), if any.</param>
/// <param name="Deriver">The derivation that registered the path, as recorded (unreliable: see
/// docs/nix-behaviour.md §5; empty when the path was added without a build, e.g. by <c>builtins.path</c>).</param>
/// <param name="Derivations">Local derivations that declare this path as an output (Nix's
/// <c>DerivationOutputs</c>); any of them may have produced it, including ones never built.</param>
public sealed record StoreObjectOrigin(
    string Path,
    string Source,
    string? ContentAddress,
    string? Deriver,
    IReadOnlyList<string> Derivations);
