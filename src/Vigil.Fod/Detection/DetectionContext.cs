using Vigil.Data;
using Vigil.Fod.Diff;
using Vigil.Nix.Fetchers;
using Vigil.Store.Provenance;

namespace Vigil.Fod.Detection;

/// <summary>
/// Everything the detectors look at, gathered before any runs: the diff, the head revision's FODs,
/// the stored history of the hashes the head brings in, and where stores and caches say the head's
/// new output paths came from.
/// </summary>
public sealed class DetectionContext
{
    private readonly Dictionary<string, FodChange> changeByHead;
    private readonly ILookup<(string Hash, string Mode), HistoricFod> historyByHash;
    private readonly ILookup<string, StoreObjectOrigin> originsByPath;
    private readonly IReadOnlyDictionary<string, FodRecord> recipesByDrv;

    /// <param name="head">Head FODs: all of them, or at least every one whose output path a new FOD has.</param>
    /// <param name="history">Stored FODs with the hashes of the head's new FODs (any revision).</param>
    /// <param name="origins">What stores and caches hold of the head's new output paths.</param>
    /// <param name="recipesByDrv">FOD records of the derivations the origins name, where known.</param>
    public DetectionContext(
        FodDiff diff,
        IReadOnlyList<StoredFod> head,
        IReadOnlyList<HistoricFod> history,
        IReadOnlyList<StoreObjectOrigin> origins,
        IReadOnlyDictionary<string, FodRecord> recipesByDrv)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(origins);
        ArgumentNullException.ThrowIfNull(recipesByDrv);
        Diff = diff;
        Head = head;
        HeadNew = [.. diff.HeadNew];
        changeByHead = diff.Changed.ToDictionary(c => c.Head.Fod.DrvPath, StringComparer.Ordinal);
        var headNewDrvs = HeadNew.Select(f => f.Fod.DrvPath).ToHashSet(StringComparer.Ordinal);
        // The head's own new FODs are not "history": a hash two new FODs share is the intra-revision detector's.
        historyByHash = history.Where(h => !headNewDrvs.Contains(h.Fod.DrvPath)).ToLookup(h => (h.Fod.HashSri, h.Fod.HashMode));
        originsByPath = origins.ToLookup(o => o.Path, StringComparer.Ordinal);
        this.recipesByDrv = recipesByDrv;
    }

    public FodDiff Diff { get; }

    /// <summary>FODs of the head revision: at least every one sharing an output path with a new one.</summary>
    public IReadOnlyList<StoredFod> Head { get; }

    /// <summary>The head FODs the base does not have (added, and the new side of changed).</summary>
    public IReadOnlyList<StoredFod> HeadNew { get; }

    /// <summary>The base FOD the diff paired with this head FOD, if it is a changed one.</summary>
    public FodChange? ChangeOf(StoredFod headFod)
    {
        ArgumentNullException.ThrowIfNull(headFod);
        return changeByHead.GetValueOrDefault(headFod.Fod.DrvPath);
    }

    /// <summary>Stored FODs outside the head's new ones with the same hash and mode as <paramref name="fod"/>.</summary>
    public IEnumerable<HistoricFod> SameHash(FodRecord fod)
    {
        ArgumentNullException.ThrowIfNull(fod);
        return historyByHash[(fod.HashSri, fod.HashMode)];
    }

    /// <summary>What stores and caches hold under this output path (empty when none does).</summary>
    public IEnumerable<StoreObjectOrigin> OriginsOf(string outputPath) => originsByPath[outputPath];

    /// <summary>The FOD record of a derivation an origin names, if Vigil has it or could read it.</summary>
    public FodRecord? RecipeOf(string drvPath) => recipesByDrv.GetValueOrDefault(drvPath);
}
