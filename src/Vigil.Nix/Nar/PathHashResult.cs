using Vigil.Nix.Hashing;

namespace Vigil.Nix.Nar;

/// <summary>The hash of one path of a batch, or why it could not be computed.</summary>
public readonly record struct PathHashResult(string Path, NixHash? Hash, Exception? Error);
