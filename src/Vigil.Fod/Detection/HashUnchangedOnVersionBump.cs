namespace Vigil.Fod.Detection;

/// <summary>
/// A changed FOD whose recipe (URLs, rev, fetcher arguments) changed while its hash did not: the
/// stale-hash bump, by accident or on purpose. An error when the output path stayed the same too
/// (same name): Nix reuses the old content and never downloads the new source. A warning when the
/// name changed: the build fetches and fails, unless a hashed mirror or a cache answers by hash.
/// </summary>
public sealed class HashUnchangedOnVersionBump : IDetector
{
    public string Kind => "hash-unchanged-on-version-bump";

    public Severity Severity => Severity.Error;

    public string Summary => "An FOD's URL, rev or version changed but its hash did not, so the old content is used for the new source.";

    public IEnumerable<Finding> Detect(DetectionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var change in context.Diff.Changed)
        {
            if (change.HashChanged || !change.RecipeChanged)
            {
                continue;
            }
            var (old, now) = (change.Base.Fod, change.Head.Fod);
            var samePath = old.OutputPath == now.OutputPath;
            var message =
                $"{Describe.Attr(change.Head)}: the source changed from {Describe.Source(old)} to {Describe.Source(now)}, but the hash stayed {Describe.Hash(now)}.\n"
                + (samePath
                    ? $"The output path {now.OutputPath} stayed the same, so Nix keeps using the old content and never downloads the new source. "
                    : "The name changed, so a plain build downloads the new source and fails on the hash, unless a hashed mirror or a cache serves the old content by hash. ")
                + "Set the hash of the new source (build with an empty hash and copy the one Nix reports), or prove it is unchanged: " + Describe.CheckCommand(now) + ".";
            yield return new Finding(Kind, samePath ? Severity.Error : Severity.Warning, change.Head, message, change.Base, []);
        }
    }
}
