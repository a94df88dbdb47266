namespace Vigil.Data.Farm;

/// <summary>A stored evaluation of a jobset and the ids of the builds it queued, in the order given.</summary>
public sealed record EvaluationRecord(long Id, long JobsetId, DateTimeOffset CreatedAt, IReadOnlyList<long> BuildIds);
