namespace Vigil.Data.Farm;

/// <summary>A stored build: Status is Hydra's code once Finished, null before.</summary>
public sealed record BuildRecord(
    long Id,
    long EvaluationId,
    long JobsetId,
    string Job,
    string DrvPath,
    string System,
    int Priority,
    int GlobalPriority,
    bool Finished,
    BuildStatus? Status,
    bool IsCachedBuild,
    DateTimeOffset QueuedAt,
    DateTimeOffset? StartTime,
    DateTimeOffset? StopTime);
