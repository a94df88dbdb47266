using Vigil.Data;

namespace Vigil.Fod.Diff;

/// <summary>One FOD of the base revision and the FOD that took its place in the head revision.</summary>
public sealed record FodChange(StoredFod Base, StoredFod Head)
{
    /// <summary>The expected hash (or its mode) changed.</summary>
    public bool HashChanged => Base.Fod.HashSri != Head.Fod.HashSri || Base.Fod.HashMode != Head.Fod.HashMode;

    /// <summary>What is fetched (URLs as written, rev, fetcher arguments) changed.</summary>
    public bool RecipeChanged => Base.Fod.RecipeHash != Head.Fod.RecipeHash;

    /// <summary>The swapped pair, as seen from the head towards the base.</summary>
    public FodChange Reversed() => new(Head, Base);
}
