namespace Vigil.Data.Farm;

/// <summary>
/// An unfinished build as the queue runner takes it up: what to build, how urgently, for which
/// jobset (and that jobset's shares), and the last step number already filed under it (0 when
/// none), so that step rows written after a restart do not collide with earlier ones.
/// </summary>
public sealed record QueuedBuild(
    long Id,
    long JobsetId,
    int SchedulingShares,
    string Job,
    string DrvPath,
    string System,
    int Priority,
    int GlobalPriority,
    int MaxSilent,
    int Timeout,
    DateTimeOffset QueuedAt,
    int LastStepNr);
