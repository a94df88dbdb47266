namespace Vigil.Data;

/// <summary>
/// A (recipe, hash, mode) pair that a fresh fetch or rebuild confirmed: the trust database's row.
/// <see cref="DrvPath"/>, <see cref="Method"/> and <see cref="Url"/> say how it was last confirmed.
/// </summary>
public sealed record TrustedPair(
    string RecipeHash,
    string HashSri,
    string HashMode,
    string DrvPath,
    string Method,
    string? Url,
    DateTimeOffset FirstVerifiedAt,
    DateTimeOffset LastVerifiedAt);
