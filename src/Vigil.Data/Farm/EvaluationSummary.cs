namespace Vigil.Data.Farm;

/// <summary>
/// A stored evaluation as listed: how many builds it queued, its error when it failed (then no jobs),
/// the hash of its job → drv path pairs (null when it failed) and the scan revision holding its FODs.
/// </summary>
public sealed record EvaluationSummary(long Id, long JobsetId, DateTimeOffset CreatedAt, int BuildCount, string? Error, string? JobsHash, string? Revision);
