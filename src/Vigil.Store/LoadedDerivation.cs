using Vigil.Nix.Derivations;

namespace Vigil.Store;

/// <summary>
/// A derivation read from the store, with what checking it needs from the file bytes (their
/// SHA-256 and whether writing the parsed model reproduces them), so the bytes need not be kept.
/// </summary>
public sealed record LoadedDerivation(string Path, Derivation Derivation, byte[] FileSha256, bool IsCanonical);
