using Vigil.Data;
using Vigil.Fod.Diff;
using Vigil.Nix;
using Vigil.Nix.Derivations;
using Vigil.Nix.Fetchers;
using Vigil.Store;
using Vigil.Store.Provenance;

namespace Vigil.Fod.Detection;

/// <summary>
/// Compares two scanned revisions and runs every detector over what the head brings in: loads
/// both revisions' FODs, diffs them, looks up the history of the new hashes in the database, asks
/// the stores and caches given whether they already hold the new output paths (and reads the
/// recipes of the derivations they name), then runs the detectors.
/// </summary>
public sealed class FodReview
{
    /// <summary>Every detector, in the order their findings are listed at equal severity.</summary>
    public static IReadOnlyList<IDetector> Detectors { get; } =
    [
        new HashReusedWithNewRecipe(),
        new OutputPathSharedByRecipes(),
        new HashUnchangedOnVersionBump(),
        new PathCollidesWithNonFod(),
        new FetchFromHashedMirrorOnly(),
        new FodWithoutUrl(),
        new ChangedFodUnverified(),
    ];

    private readonly VigilDatabase db;
    private readonly IReadOnlyList<IStoreObjectOrigins> origins;
    private readonly DerivationReader? reader;

    /// <param name="origins">Stores and caches to ask about new output paths (none: skip those checks).</param>
    /// <param name="reader">Reads derivations the stores name that the database does not hold; null: do not read.</param>
    public FodReview(VigilDatabase db, IReadOnlyList<IStoreObjectOrigins> origins, DerivationReader? reader)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(origins);
        this.db = db;
        this.origins = origins;
        this.reader = reader;
    }

    public async Task<FodReport> ReviewAsync(RevisionInfo baseRevision, RevisionInfo headRevision, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(baseRevision);
        ArgumentNullException.ThrowIfNull(headRevision);
        // Only the FODs one side has and the other has not are read: the unchanged majority stays in the database.
        var baseOnly = await db.ListFodsNotInAsync(baseRevision.Id, headRevision.Id, cancellationToken).ConfigureAwait(false);
        var headOnly = await db.ListFodsNotInAsync(headRevision.Id, baseRevision.Id, cancellationToken).ConfigureAwait(false);
        var diff = FodDiffer.Compute(baseOnly, headOnly) with { Unchanged = headRevision.FodCount - headOnly.Count };
        var headNew = diff.HeadNew.Select(f => f.Fod).ToList();
        var sharingPaths = await db.FindFodsByOutputPathAsync(headRevision.Id, headNew.Select(f => f.OutputPath).ToHashSet(StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);

        var history = await db.FindFodsByHashAsync(headNew.Select(f => f.HashSri).ToHashSet(StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);
        var outputPaths = headNew.Select(f => f.OutputPath).ToHashSet(StringComparer.Ordinal);
        var held = new List<StoreObjectOrigin>();
        foreach (var source in origins)
        {
            held.AddRange((await source.FindAsync(outputPaths, cancellationToken).ConfigureAwait(false)).Values);
        }
        var recipes = await RecipesOfAsync(held.Select(o => o.Deriver).OfType<string>().ToHashSet(StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);

        var context = new DetectionContext(diff, sharingPaths, history, held, recipes);
        var order = Detectors.Select((d, i) => (d.Kind, i)).ToDictionary(x => x.Kind, x => x.i, StringComparer.Ordinal);
        var findings = Detectors.SelectMany(d => d.Detect(context))
            .OrderByDescending(f => f.Severity)
            .ThenBy(f => order[f.Kind])
            .ThenBy(f => Describe.Attr(f.Fod), StringComparer.Ordinal)
            .ThenBy(f => f.Fod.Fod.DrvPath, StringComparer.Ordinal)
            .ToList();
        return new FodReport(baseRevision, headRevision, diff, findings);
    }

    /// <summary>FOD records of derivations: from the database, else read from the store when the file is there.</summary>
    private async Task<IReadOnlyDictionary<string, FodRecord>> RecipesOfAsync(IReadOnlyCollection<string> drvPaths, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, FodRecord>(await db.FindFodsAsync(drvPaths, cancellationToken).ConfigureAwait(false), StringComparer.Ordinal);
        if (reader is null)
        {
            return found;
        }
        foreach (var path in drvPaths.Where(p => !found.ContainsKey(p)))
        {
            if (TryRead(path) is { IsFixedOutput: true } drv)
            {
                found[path] = FodExtractor.Extract(FodExtractor.FromDerivation(path, drv, TryRead));
            }
        }
        return found;
    }

    // A deriver named by a store or cache need not exist locally; absent or unreadable means "unknown recipe".
    private Derivation? TryRead(string drvPath)
    {
        try
        {
            return reader!.Location.HasFile(drvPath) ? reader.Read(drvPath) : null;
        }
        catch (Exception ex) when (ex is StoreException or NixFormatException or IOException or ArgumentException)
        {
            return null;
        }
    }
}
