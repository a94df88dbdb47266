using Vigil.Nix.Fetchers;

namespace Vigil.Fod.Detection;

/// <summary>
/// A new FOD whose hash was already known under another recipe: in the base revision, in any
/// revision ever scanned, or as the content a store or cache already holds under its output path.
/// The stale-hash bump and "another package's hash" (CVE-2024-36050) both look like this. An error
/// when the content already exists under the same output path (Nix will use it without fetching);
/// a warning when only the hash matches (a build fetches for real unless some cache has the path).
/// </summary>
public sealed class HashReusedWithNewRecipe : IDetector
{
    public string Kind => "hash-reused-with-new-recipe";

    public Severity Severity => Severity.Error;

    public string Summary => "A new or changed FOD claims a hash already known from a different recipe, so Nix may serve that other content without fetching.";

    public IEnumerable<Finding> Detect(DetectionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var head in context.HeadNew)
        {
            var fod = head.Fod;
            var change = context.ChangeOf(head);
            // A bump that kept its own old hash is hash-unchanged-on-version-bump's finding; other recipes with that hash are still news.
            var ownOldRecipe = change is { HashChanged: false } ? change.Base.Fod.RecipeHash : null;
            var known = context.SameHash(fod)
                .Where(h => h.Fod.RecipeHash != fod.RecipeHash && h.Fod.RecipeHash != ownOldRecipe)
                .GroupBy(h => h.Fod.RecipeHash)
                .Select(g => g.OrderBy(h => h.Fod.OutputPath == fod.OutputPath ? 0 : 1).ThenBy(h => h.Fod.DrvPath, StringComparer.Ordinal).First())
                .ToList();
            var held = context.OriginsOf(fod.OutputPath)
                .Select(o => (Origin: o, Recipe: o.Deriver is { } d ? context.RecipeOf(d) : null))
                .Where(x => x.Origin.Deriver is { } d && d != fod.DrvPath && x.Recipe?.RecipeHash != fod.RecipeHash && (x.Recipe is null || x.Recipe.RecipeHash != ownOldRecipe))
                .ToList();
            if (known.Count == 0 && held.Count == 0)
            {
                continue;
            }
            var samePath = known.Any(h => h.Fod.OutputPath == fod.OutputPath) || held.Count > 0;
            var lines = new List<string>
            {
                $"{Describe.Attr(head)}: {fod.Name} is to be fetched from {Describe.Source(fod)}, but its hash {Describe.Hash(fod)} is already known from another recipe:",
            };
            foreach (var h in known.Take(5))
            {
                var where = h.FirstRevision is { } r ? $"revision {r}" : "an earlier scan";
                lines.Add($"  {h.Fod.Name} from {Describe.Source(h.Fod)} ({where}, {h.Fod.DrvPath})");
            }
            if (known.Count > 5)
            {
                lines.Add($"  … and {known.Count - 5} more");
            }
            foreach (var (origin, recipe) in held)
            {
                lines.Add(recipe is null
                    ? $"  {fod.OutputPath} is already in {origin.Source}, built by {origin.Deriver}, a derivation Vigil has never seen"
                    : $"  {fod.OutputPath} is already in {origin.Source}, built by {origin.Deriver}, which fetches {Describe.Source(recipe)}");
            }
            lines.Add(samePath
                ? "Nix names a fixed-output path by name and hash only, so it will use that existing content without downloading the new source. "
                  + "If the new source really has this content, prove it by fetching it: " + Describe.CheckCommand(fod) + "; otherwise fix the hash."
                : "A build downloads the new source and fails unless it has exactly that content, but a cache holding this path would serve it unchecked. "
                  + "Verify that the new source has this content: " + Describe.CheckCommand(fod) + ".");
            yield return new Finding(Kind, samePath ? Severity.Error : Severity.Warning, head, string.Join('\n', lines), change?.Base,
                [.. known.Select(h => h.Fod), .. held.Where(x => x.Recipe is not null).Select(x => x.Recipe!)]);
        }
    }
}
