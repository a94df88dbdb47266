using Vigil.Nix.Fetchers;

namespace Vigil.Fod.Detection;

/// <summary>
/// Within the head revision, a new FOD shares its output path (same name, hash and mode) with an
/// FOD of a different recipe. Both cannot be right: whichever Nix realises first fills the path,
/// and the other silently gets its content (the intra-closure variant; no cache needed).
/// </summary>
public sealed class OutputPathSharedByRecipes : IDetector
{
    public string Kind => "output-path-shared-by-recipes";

    public Severity Severity => Severity.Error;

    public string Summary => "Two FODs of one revision with different recipes have the same output path; whichever is realised first provides the other's content.";

    public IEnumerable<Finding> Detect(DetectionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var byPath = context.Head.ToLookup(f => f.Fod.OutputPath, StringComparer.Ordinal);
        foreach (var head in context.HeadNew)
        {
            var others = byPath[head.Fod.OutputPath]
                .Where(o => o.Fod.RecipeHash != head.Fod.RecipeHash)
                .DistinctBy(o => o.Fod.RecipeHash)
                .OrderBy(o => o.Fod.DrvPath, StringComparer.Ordinal)
                .ToList();
            if (others.Count == 0)
            {
                continue;
            }
            var lines = new List<string>
            {
                $"{Describe.Attr(head)}: {head.Fod.OutputPath} ({Describe.Source(head.Fod)}) is also the output path of:",
            };
            lines.AddRange(others.Take(5).Select(o => $"  {Describe.Attr(o)}: {Describe.Source(o.Fod)} ({o.Fod.DrvPath})"));
            lines.Add("Both claim the same hash, so at most one of them really has that content, and whichever Nix realises first provides it to the other. "
                + "Fetch each for real to see which is wrong: " + Describe.CheckCommand(head.Fod) + ".");
            yield return new Finding(Kind, Severity, head, string.Join('\n', lines), context.ChangeOf(head)?.Base,
                [.. others.Select(o => o.Fod)]);
        }
    }
}
