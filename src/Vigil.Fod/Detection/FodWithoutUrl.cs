using Vigil.Nix.Fetchers;

namespace Vigil.Fod.Detection;

/// <summary>
/// A new FOD that names no URL and no revision, and is not a vendor FOD (whose URLs are in the
/// lockfile of its source): a hand-written fetch script, or content produced from nothing. What it
/// downloads is whatever its script does, so only a rebuild can verify it.
/// </summary>
public sealed class FodWithoutUrl : IDetector
{
    public string Kind => "fod-without-url";

    public Severity Severity => Severity.Warning;

    public string Summary => "A new FOD names no URL or revision, so what it fetches cannot be checked from the recipe; only a rebuild verifies it.";

    public IEnumerable<Finding> Detect(DetectionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var head in context.HeadNew)
        {
            var fod = head.Fod;
            if (fod.Urls.Count > 0 || fod.Rev is not null || IsVendor(fod.Fetcher))
            {
                continue;
            }
            var message =
                $"{Describe.Attr(head)}: {fod.Name} ({FetcherKinds.Name(fod.Fetcher)}) names no URL or revision, so nothing in its recipe says where its content comes from.\n"
                + "Review its build script, and rebuild it without caches to verify the hash: " + Describe.CheckCommand(fod) + ".";
            yield return new Finding(Kind, Severity, head, message, context.ChangeOf(head)?.Base, []);
        }
    }

    private static bool IsVendor(FetcherKind kind) =>
        kind is FetcherKind.CargoVendor or FetcherKind.GoModules or FetcherKind.NpmDeps or FetcherKind.YarnDeps or FetcherKind.PnpmDeps;
}
