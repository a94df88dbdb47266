namespace Vigil.Data.Farm;

/// <summary>A stored jobset.</summary>
public sealed record JobsetRecord(long Id, long ProjectId, string Project, string Name, string ExprFile, string? Attr, int SchedulingShares, int Priority, bool Enabled);
