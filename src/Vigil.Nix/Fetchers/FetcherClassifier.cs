namespace Vigil.Nix.Fetchers;

/// <summary>
/// Decides which fetcher made an FOD from its env alone. Each rule names the shape it looks for
/// and where that shape comes from (docs/nix-formats.md §7; nixpkgs 2025 fetchers). The order is
/// part of the rules: the builder decides what is fetched, so it is asked first; a URL list makes
/// an FOD a download whatever its name; names only classify FODs that name no URL.
/// </summary>
internal static class FetcherClassifier
{
    /// <summary>
    /// §7.2: <c>&lt;nix/fetchurl.nix&gt;</c> and nixpkgs' bootstrap fetchurl set
    /// <c>builder = "builtin:fetchurl"</c>; Nix then downloads env <c>url</c> and nothing else.
    /// </summary>
    internal static bool IsBuiltinFetchurl(string? builder) => builder == "builtin:fetchurl";

    /// <summary>
    /// §7.5 fetchgit (and the git forms of fetchFromGitHub/GitLab…): env <c>fetcher</c> is the
    /// <c>nix-prefetch-git</c> script, or the FOD has env <c>url</c> + <c>rev</c> and no <c>urls</c>
    /// (fetchgit's shape; fetchsvn/fetchhg share it, and (url, rev) is their identity too).
    /// </summary>
    internal static bool IsGit(string? fetcher, string? url, string? rev, string? urls) =>
        (fetcher is not null && fetcher.EndsWith("nix-prefetch-git", StringComparison.Ordinal))
        || (!string.IsNullOrEmpty(url) && !string.IsNullOrEmpty(rev) && string.IsNullOrWhiteSpace(urls));

    /// <summary>An FOD that names URLs (env <c>urls</c>/<c>url</c>), most specific shape first.</summary>
    internal static FetcherKind ClassifyDownload(FodInput input, IReadOnlyList<string> urls, bool recursive)
    {
        var env = input.Env;
        var name = input.Name ?? "";
        var postFetch = env("postFetch") ?? "";

        // §7.5 fetchpatch: fetchurl whose postFetch normalises the patch with patchutils;
        // the default name is the URL's base name, ending .patch or .diff.
        if (name.EndsWith(".patch", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".diff", StringComparison.OrdinalIgnoreCase)
            || postFetch.Contains("lsdiff", StringComparison.Ordinal)
            || postFetch.Contains("filterdiff", StringComparison.Ordinal))
        {
            return FetcherKind.Patch;
        }

        // §7.5 fetchCrate (<registryDl>/NAME/VERSION/download) and importCargoLock (name crate-NAME-VERSION.tar.gz).
        if (name.StartsWith("crate-", StringComparison.Ordinal) || Any(urls, ForgeUrls.IsCrateDownload))
        {
            return FetcherKind.Crate;
        }

        // §7.5 fetchFromGitHub archive form: the archive/API URL shape, or env githubBase
        // (recent fetchFromGitHub passes githubBase/owner/repo into the derivation).
        var githubBase = env("githubBase");
        if (!string.IsNullOrEmpty(githubBase) || Any(urls, url => ForgeUrls.TryGitHub(url, githubBase, out _)))
        {
            return FetcherKind.GitHub;
        }

        // §7.5 fetchFromGitLab archive form (API v4 archive with ?sha=REV, or /-/archive/REV/).
        if (Any(urls, url => ForgeUrls.TryGitLab(url, out _)))
        {
            return FetcherKind.GitLab;
        }

        // §7.5 fetchzip: nixpkgs fetchurl with recursiveHash, downloadToTemp and a postFetch that
        // unpacks with stdenv's unpackFile; its default name is "source".
        var nixpkgsFetchurl = IsNixpkgsFetchurl(env);
        if (nixpkgsFetchurl && recursive && (postFetch.Contains("unpackFile", StringComparison.Ordinal) || name == "source"))
        {
            return FetcherKind.Fetchzip;
        }

        return nixpkgsFetchurl ? FetcherKind.Fetchurl : FetcherKind.Other;
    }

    /// <summary>
    /// An FOD that names no URL: the language vendor fetchers, whose URLs are in a lockfile inside
    /// <c>src</c> (§7.5), recognised by the names they give their FODs.
    /// </summary>
    internal static FetcherKind ClassifyVendor(FodInput input)
    {
        var name = input.Name ?? "";
        // fetchCargoTarball: NAME-vendor.tar.gz; fetchCargoVendor: NAME-vendor-staging (its
        // NAME-vendor output is not an FOD, but a hand-rolled one may be).
        if (name.EndsWith("-vendor.tar.gz", StringComparison.Ordinal)
            || name.EndsWith("-vendor-staging", StringComparison.Ordinal)
            || name.EndsWith("-vendor", StringComparison.Ordinal))
        {
            return FetcherKind.CargoVendor;
        }
        // buildGoModule's goModules: PNAME-VERSION-go-modules.
        if (name.EndsWith("-go-modules", StringComparison.Ordinal))
        {
            return FetcherKind.GoModules;
        }
        // fetchNpmDeps: npm-deps (buildNpmPackage: NAME-npm-deps).
        if (name == "npm-deps" || name.EndsWith("-npm-deps", StringComparison.Ordinal))
        {
            return FetcherKind.NpmDeps;
        }
        // fetchYarnDeps: "offline", with the yarnLock it reads in env; other yarn caches say yarn.
        if (name == "offline"
            || name.Contains("yarn", StringComparison.OrdinalIgnoreCase)
            || !string.IsNullOrEmpty(input.Env("yarnLock")))
        {
            return FetcherKind.YarnDeps;
        }
        // pnpm.fetchDeps: PNAME-pnpm-deps.
        if (name == "pnpm-deps" || name.EndsWith("-pnpm-deps", StringComparison.Ordinal))
        {
            return FetcherKind.PnpmDeps;
        }
        return FetcherKind.Other;
    }

    /// <summary>
    /// §7.3: nixpkgs fetchurl always sets <c>mirrorsFile</c> and <c>nixpkgsVersion</c>; its builder
    /// script (builder.sh) is in the args, which the env does not show, but a derivation whose
    /// builder is the script itself names it in env <c>builder</c>.
    /// </summary>
    private static bool IsNixpkgsFetchurl(Func<string, string?> env) =>
        !string.IsNullOrEmpty(env("mirrorsFile"))
        || env("nixpkgsVersion") is not null
        || (env("builder") is { } builder && builder.EndsWith("builder.sh", StringComparison.Ordinal));

    private static bool Any(IReadOnlyList<string> urls, Func<string, bool> test)
    {
        foreach (var url in urls)
        {
            if (test(url))
            {
                return true;
            }
        }
        return false;
    }
}
