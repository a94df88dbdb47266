namespace Vigil.Data.Farm;

/// <summary>An output of a build and its store path.</summary>
public sealed record BuildOutputRecord(long BuildId, string Name, string? Path);
