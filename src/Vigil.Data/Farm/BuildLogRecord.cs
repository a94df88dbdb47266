namespace Vigil.Data.Farm;

/// <summary>Where the log of one step attempt is kept, its size in bytes and compression (<c>none</c>, <c>zstd</c>…).</summary>
public sealed record BuildLogRecord(long BuildId, int StepNr, string DrvPath, string Location, long Size, string Compression);
