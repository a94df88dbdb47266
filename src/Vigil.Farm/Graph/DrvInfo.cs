namespace Vigil.Farm.Graph;

/// <summary>
/// What the scheduler needs of a derivation: where it builds (system, required features), what it
/// produces (output paths; empty for an output whose path is known only after the build) and the
/// derivations it needs built first.
/// </summary>
public sealed record DrvInfo(string Path, string System, IReadOnlyList<string> RequiredFeatures, IReadOnlyList<string> OutputPaths, IReadOnlyList<string> InputDrvs);
