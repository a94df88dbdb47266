using Vigil.Data;

namespace Vigil.Fod.Diff;

/// <summary>
/// What changed between the FODs of two revisions. An FOD is unchanged when the other revision
/// has one with the same output path and the same recipe (its drv path may differ: a new curl in
/// the fetcher's closure changes the drv, not what is fetched).
/// </summary>
/// <param name="Unchanged">How many head FODs are unchanged.</param>
public sealed record FodDiff(
    IReadOnlyList<StoredFod> Added,
    IReadOnlyList<StoredFod> Removed,
    IReadOnlyList<FodChange> Changed,
    int Unchanged)
{
    /// <summary>The head FODs the base does not have: added ones and the new side of changed ones.</summary>
    public IEnumerable<StoredFod> HeadNew => Added.Concat(Changed.Select(c => c.Head));

    public bool IsEmpty => Added.Count == 0 && Removed.Count == 0 && Changed.Count == 0;

    /// <summary>The same diff seen from the head towards the base.</summary>
    public FodDiff Reversed() => new(Removed, Added, [.. Changed.Select(c => c.Reversed())], Unchanged);
}
