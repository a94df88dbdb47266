using Vigil.Nix.Fetchers;

namespace Vigil.Data;

/// <summary>
/// An FOD of a revision whose (recipe, hash, mode) pair is in the trust database, with that pair:
/// what an attestation vouches for. <see cref="TrustedPair.DrvPath"/> may name another drv with the
/// same recipe and hash, the one that was fetched when the pair was last confirmed.
/// </summary>
public sealed record TrustedFod(FodRecord Fod, TrustedPair Pair);
