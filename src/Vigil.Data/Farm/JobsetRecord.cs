namespace Vigil.Data.Farm;

/// <summary>
/// A stored jobset. CheckInterval is seconds between the server's evaluations of it (0: only on
/// demand); LastCheckedAt is when it was last evaluated, whatever came of it (null: never).
/// </summary>
public sealed record JobsetRecord(long Id, long ProjectId, string Project, string Name, string ExprFile, string? Attr, int SchedulingShares, int Priority, bool Enabled,
    int CheckInterval = 0, DateTimeOffset? LastCheckedAt = null);
