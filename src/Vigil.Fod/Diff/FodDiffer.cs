using System.Text.RegularExpressions;
using Vigil.Data;

namespace Vigil.Fod.Diff;

/// <summary>
/// Computes the <see cref="FodDiff"/> of two revisions. FODs that are not unchanged are paired
/// base to head in rounds, each round matching within groups of a key and only among what earlier
/// rounds left: the same output path (same name and hash, another recipe: the poisoning shape);
/// the same nearest attribute and name stem (a version bump); the same nearest attribute when it
/// has just one FOD left on each side; the same name; the same name stem when it is unique on
/// both sides (a renamed attribute whose source was bumped too). What is left is added or removed.
/// </summary>
/// <remarks>
/// Every round sorts both sides of a group by drv path and pairs them in that order, so the pairing
/// does not depend on which revision is called the base: diff(b, a) is diff(a, b) reversed.
/// </remarks>
public static partial class FodDiffer
{
    public static FodDiff Compute(IReadOnlyList<StoredFod> baseFods, IReadOnlyList<StoredFod> headFods)
    {
        ArgumentNullException.ThrowIfNull(baseFods);
        ArgumentNullException.ThrowIfNull(headFods);
        var baseKeys = baseFods.Select(Identity).ToHashSet();
        var headKeys = headFods.Select(Identity).ToHashSet();
        var baseLeft = baseFods.Where(f => !headKeys.Contains(Identity(f))).ToList();
        var headLeft = headFods.Where(f => !baseKeys.Contains(Identity(f))).ToList();
        var unchanged = headFods.Count - headLeft.Count;

        var changed = new List<FodChange>();
        PairRound(baseLeft, headLeft, changed, f => f.Fod.OutputPath, onlyIfUnique: false);
        PairRound(baseLeft, headLeft, changed, f => NearestAttr(f) is { } a ? a + "\n" + NameStem(f.Fod.Name) : null, onlyIfUnique: false);
        PairRound(baseLeft, headLeft, changed, NearestAttr, onlyIfUnique: true);
        PairRound(baseLeft, headLeft, changed, f => f.Fod.Name, onlyIfUnique: false);
        PairRound(baseLeft, headLeft, changed, f => NameStem(f.Fod.Name), onlyIfUnique: true);

        return new FodDiff(Sorted(headLeft), Sorted(baseLeft), [.. changed.OrderBy(c => SortKey(c.Head), StringComparer.Ordinal)], unchanged);
    }

    /// <summary>The attribute nearest to the FOD (the package it is the source of), if any reaches it.</summary>
    public static string? NearestAttr(StoredFod fod)
    {
        ArgumentNullException.ThrowIfNull(fod);
        return fod.Attrs.Count > 0 ? fod.Attrs[0] : null;
    }

    /// <summary>The name with its version numbers blanked: <c>hello-2.12.1.tar.gz</c> → <c>hello-#.tar.gz</c>.</summary>
    public static string NameStem(string name) => VersionPattern().Replace(name, "#");

    private static (string OutputPath, string RecipeHash) Identity(StoredFod f) => (f.Fod.OutputPath, f.Fod.RecipeHash);

    private static void PairRound(List<StoredFod> baseLeft, List<StoredFod> headLeft, List<FodChange> changed, Func<StoredFod, string?> key, bool onlyIfUnique)
    {
        if (baseLeft.Count == 0 || headLeft.Count == 0)
        {
            return;
        }
        var baseGroups = Group(baseLeft, key);
        var headGroups = Group(headLeft, key);
        var pairedBase = new HashSet<StoredFod>(ReferenceEqualityComparer.Instance);
        var pairedHead = new HashSet<StoredFod>(ReferenceEqualityComparer.Instance);
        foreach (var (k, bases) in baseGroups)
        {
            if (!headGroups.TryGetValue(k, out var heads) || (onlyIfUnique && (bases.Count != 1 || heads.Count != 1)))
            {
                continue;
            }
            for (var i = 0; i < Math.Min(bases.Count, heads.Count); i++)
            {
                changed.Add(new FodChange(bases[i], heads[i]));
                pairedBase.Add(bases[i]);
                pairedHead.Add(heads[i]);
            }
        }
        baseLeft.RemoveAll(pairedBase.Contains);
        headLeft.RemoveAll(pairedHead.Contains);
    }

    private static Dictionary<string, List<StoredFod>> Group(List<StoredFod> fods, Func<StoredFod, string?> key)
    {
        var groups = new Dictionary<string, List<StoredFod>>(StringComparer.Ordinal);
        foreach (var f in fods)
        {
            if (key(f) is not { } k)
            {
                continue;
            }
            if (!groups.TryGetValue(k, out var list))
            {
                groups[k] = list = [];
            }
            list.Add(f);
        }
        foreach (var list in groups.Values)
        {
            list.Sort((a, b) => string.CompareOrdinal(a.Fod.DrvPath, b.Fod.DrvPath));
        }
        return groups;
    }

    private static List<StoredFod> Sorted(List<StoredFod> fods) => [.. fods.OrderBy(SortKey, StringComparer.Ordinal)];

    private static string SortKey(StoredFod f) => (NearestAttr(f) ?? "") + "\n" + f.Fod.Name + "\n" + f.Fod.DrvPath;

    // Digit runs with their separators: 2.12.1, 1_0, 20240131, r2 is left alone (a letter first).
    [GeneratedRegex(@"\d+(?:[._-]\d+)*")]
    private static partial Regex VersionPattern();
}
