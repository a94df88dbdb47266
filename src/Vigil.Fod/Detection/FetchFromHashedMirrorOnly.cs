using Vigil.Nix.Hashing;

namespace Vigil.Fod.Detection;

/// <summary>
/// A new FOD whose every URL is a hashed mirror: an address made of the expected hash itself
/// (<c>…/sha256/&lt;hex&gt;</c>, the layout of tarballs.nixos.org) or a known hashed-mirror host.
/// Such a URL serves whatever was filed under the hash, so fetching it proves nothing about the
/// upstream source the package claims to be.
/// </summary>
public sealed class FetchFromHashedMirrorOnly : IDetector
{
    private static readonly string[] HashedMirrorHosts = ["tarballs.nixos.org"];

    public string Kind => "fetch-from-hashed-mirror-only";

    public Severity Severity => Severity.Warning;

    public string Summary => "A new FOD fetches only from hashed mirrors, which serve content by hash, so its source cannot be verified from its own URLs.";

    public IEnumerable<Finding> Detect(DetectionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var head in context.HeadNew)
        {
            var fod = head.Fod;
            if (fod.Urls.Count == 0 || !NixHash.TryParse(fod.HashSri, null, out var hash))
            {
                continue;
            }
            var spellings = new[] { hash!.ToBase16(), hash.ToNix32() };
            if (!fod.Urls.All(u => IsHashedMirror(u, spellings)))
            {
                continue;
            }
            var message =
                $"{Describe.Attr(head)}: {fod.Name} is fetched only from {Describe.Source(fod)}, a hashed mirror that serves whatever was stored under {fod.HashSri}.\n"
                + "That proves the content matches the hash, not that it is the upstream source. Use the project's own download URL (the mirror may stay as a fallback).";
            yield return new Finding(Kind, Severity, head, message, context.ChangeOf(head)?.Base, []);
        }
    }

    internal static bool IsHashedMirror(string url, IReadOnlyList<string> hashSpellings)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return false;
        }
        if (HashedMirrorHosts.Contains(uri.Host, StringComparer.OrdinalIgnoreCase))
        {
            return true;
        }
        var path = uri.AbsolutePath;
        return hashSpellings.Any(h => path.Contains(h, StringComparison.OrdinalIgnoreCase));
    }
}
