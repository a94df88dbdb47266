namespace Vigil.Data.Farm;

/// <summary>A build's end: its Hydra status, whether nothing had to be built for it (or its failure was cached), and when it ran.</summary>
public sealed record BuildFinish(long BuildId, BuildStatus Status, bool IsCachedBuild, DateTimeOffset? StartTime, DateTimeOffset StopTime);
