namespace Vigil.Data.Farm;

/// <summary>An output path of a derivation that failed permanently: it is not built again while the row stays.</summary>
public sealed record FailedPathRecord(string Path, string DrvPath, BuildStatus Status, DateTimeOffset FailedAt);
