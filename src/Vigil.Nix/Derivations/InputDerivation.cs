namespace Vigil.Nix.Derivations;

/// <summary>An input derivation (full <c>.drv</c> path) and the outputs used from it, sorted.</summary>
public sealed record InputDerivation(string Path, IReadOnlyList<string> Outputs);
