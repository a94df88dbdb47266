namespace Vigil.Data.Farm;

/// <summary>
/// A jobset to create: the Nix expression file (and attribute) whose jobs are built, its share of build
/// time under contention, its builds' default priority and how often the server evaluates it
/// (seconds, Hydra's <c>checkinterval</c>; 0: only on demand).
/// </summary>
public sealed record JobsetSpec(string Project, string Name, string ExprFile, string? Attr = null, int SchedulingShares = 100, int Priority = 0, int CheckInterval = 0);
