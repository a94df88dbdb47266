namespace Vigil.Data.Farm;

/// <summary>A jobset to create: the Nix expression file (and attribute) whose jobs are built, its share of build time under contention and its builds' default priority.</summary>
public sealed record JobsetSpec(string Project, string Name, string ExprFile, string? Attr = null, int SchedulingShares = 100, int Priority = 0);
