namespace Vigil.Fod.Detection;

/// <summary>
/// A new FOD whose output path a store or cache already holds with no deriver: content added
/// without any build — <c>builtins.path</c>, <c>builtins.fetchTarball</c>/<c>fetchGit</c>, a flake
/// input, <c>nix-store --add</c>, <c>nix-prefetch-url</c>. A recursive sha256 FOD's path is the
/// <c>source</c>-type path of any tree with that name and NAR hash, so such an object satisfies
/// the FOD and its recipe is never run.
/// </summary>
public sealed class PathCollidesWithNonFod : IDetector
{
    public string Kind => "path-collides-with-non-fod";

    public Severity Severity => Severity.Error;

    public string Summary => "A new FOD's output path already exists as a store object that no fixed-output build produced, so its recipe is never run.";

    public IEnumerable<Finding> Detect(DetectionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var head in context.HeadNew)
        {
            var fod = head.Fod;
            var origin = context.OriginsOf(fod.OutputPath).FirstOrDefault(o => o.Deriver is null);
            if (origin is null)
            {
                continue;
            }
            var ca = origin.ContentAddress is { } c ? $" (ca {c})" : "";
            var message =
                $"{Describe.Attr(head)}: {fod.OutputPath} already exists in {origin.Source}{ca}, and no derivation built it: "
                + "it was added directly (builtins.path, builtins.fetchTarball or fetchGit, a flake input, nix-store --add, nix-prefetch-url).\n"
                + $"Nix will use that object as the output of {fod.Name} without fetching {Describe.Source(fod)}. "
                + "Unless you added it yourself from this very source, find out where it came from and fetch for real: "
                + Describe.CheckCommand(fod) + ".";
            yield return new Finding(Kind, Severity, head, message, context.ChangeOf(head)?.Base, []);
        }
    }
}
