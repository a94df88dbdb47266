namespace Vigil.Data.Farm;

/// <summary>A named output of a derivation and its store path (null for a content-addressed output not built yet).</summary>
public sealed record OutputPath(string Name, string? Path);
