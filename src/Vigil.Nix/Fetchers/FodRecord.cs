using Vigil.Nix.Hashing;

namespace Vigil.Nix.Fetchers;

/// <summary>
/// Everything Vigil records about one fixed-output derivation. <see cref="Recipe"/> is the
/// canonical text of what the FOD would fetch (fetcher kind, URLs or repository and revision,
/// unpack/post-fetch flags), and <see cref="RecipeHash"/> its SHA-256: two FODs with the same hash
/// but different recipes are exactly what cache poisoning looks like.
/// </summary>
/// <param name="HashMode"><c>flat</c> or <c>recursive</c> (<c>text</c> reserved).</param>
/// <param name="HashSri">The expected hash in SRI form.</param>
/// <param name="OriginalHash">The hash as the expression wrote it (env <c>outputHash</c>), or the tuple's hex.</param>
/// <param name="Urls">Every URL in the order the fetcher tries them, <c>mirror://</c> expanded where the
/// mirror list is known (unresolvable ones kept verbatim). For <c>builtin:fetchurl</c> only env
/// <c>url</c>, the one URL Nix downloads; empty for vendor FODs, whose URLs are in a lockfile.</param>
/// <param name="Rev">Revision for git and forge fetchers (and unknown FODs that set env <c>rev</c>), else null.</param>
/// <param name="Recipe">Canonical JSON (sorted keys, no whitespace), <c>mirror://</c> URLs as written;
/// see <see cref="FodExtractor.Extract"/> for what it holds and leaves out.</param>
/// <param name="RecipeHash">Lowercase hex SHA-256 of the UTF-8 bytes of <see cref="Recipe"/>.</param>
public sealed record FodRecord(
    string DrvPath,
    string OutputPath,
    string Name,
    HashAlgorithmKind Algorithm,
    string HashMode,
    string HashSri,
    string OriginalHash,
    FetcherKind Fetcher,
    IReadOnlyList<string> Urls,
    string? Rev,
    string Recipe,
    string RecipeHash);
