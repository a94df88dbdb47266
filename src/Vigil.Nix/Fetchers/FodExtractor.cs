using Vigil.Nix.Derivations;
using Vigil.Nix.StorePaths;

namespace Vigil.Nix.Fetchers;

/// <summary>
/// Turns a fixed-output derivation into a <see cref="FodRecord"/>: which fetcher made it, which
/// URLs it would try, and its recipe — the canonical statement of what it fetches, whose hash is
/// compared across FODs that claim the same output (docs/nix-formats.md §7).
/// </summary>
public static class FodExtractor
{
    /// <summary>
    /// Options that change what a fetcher produces (git checkout shape, curl request, Go vendoring
    /// mode). Written into the recipe as they appear in env when non-empty.
    /// </summary>
    private static readonly string[] OptionKeys =
    [
        "branchName", "curlOpts", "curlOptsList", "deepClone", "fetchLFS", "fetchSubmodules", "fetchTags",
        "leaveDotGit", "nonConeMode", "proxyVendor", "rootDir", "sparseCheckout",
    ];

    /// <summary>
    /// Where a vendor FOD's URLs really come from: the lockfile inside its source (§7.5), so the
    /// source's store path (an FOD output path itself, fixed by its hash) and the place of the
    /// lockfile within it stand in for the URL list.
    /// </summary>
    private static readonly string[] SourceKeys =
    [
        "cargoDeps", "cargoRoot", "modRoot", "patches", "sourceRoot", "src", "srcs", "yarnLock",
    ];

    /// <summary>The scripts of a hand-written FOD: what it fetches is whatever they do.</summary>
    private static readonly string[] ScriptKeys = ["buildCommand", "buildPhase", "installPhase"];

    private static readonly Func<string, IReadOnlyList<string>?> NoMirrors = static _ => null;

    /// <summary>
    /// Classifies and describes one FOD. Total over env values: any text, missing keys or
    /// contradictory attributes give a record (at worst kind <see cref="FetcherKind.Other"/>), never
    /// an exception; only exceptions thrown by the caller's own <see cref="FodInput"/> functions escape.
    /// </summary>
    /// <remarks>
    /// <para>URLs (§7.7): <c>builtin:fetchurl</c> → exactly env <c>url</c>, because that is all Nix
    /// downloads (docs/nix-behaviour.md §1.5; its <c>urls</c> only feeds nix-prefetch-url); fetchgit →
    /// env <c>url</c> with <c>rev</c>; everything else → env <c>urls</c> split as builder.sh splits it,
    /// then env <c>url</c>, order kept, duplicates dropped, and <c>mirror://site/path</c> expanded
    /// through <see cref="FodInput.MirrorSite"/>.</para>
    /// <para>Recipe (canonical JSON, keys sorted, see <c>RecipeBuilder</c>):
    /// <c>fetcher</c>; <c>urls</c> as written, before mirror expansion, so that editing the
    /// mirror list in nixpkgs does not change every fetchurl recipe at once; <c>rev</c>;
    /// <c>recursive</c>/<c>executable</c>/<c>unpack</c>/<c>downloadToTemp</c> flags;
    /// <c>postFetch</c> as a digest (a post-fetch script rewrites the content, so changing it
    /// changes what the hash vouches for); for builtin:fetchurl, <c>ignoredUrls</c> when env
    /// <c>urls</c> says something other than <c>url</c> (a decoy for tools that read
    /// <c>urls</c>); content-changing <c>options</c>; for vendor and unknown FODs, <c>src</c>
    /// (see <see cref="SourceKeys"/>); for unknown FODs, digests of their build <c>scripts</c>.
    /// Deliberately left out: the name, hash and mode (they fix the output path, which two FODs
    /// being compared already share), the builder's tool paths and other env entries that say how
    /// to fetch rather than what.</para>
    /// </remarks>
    public static FodRecord Extract(FodInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var env = input.Env;
        var recursive = input.Method == ContentAddressMethod.Recursive;
        var recipe = new RecipeBuilder();
        var written = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        FetcherKind kind;
        string? rev = null;

        // Read once: the classifier and the URL list both need them.
        var url = env("url");
        var urlsText = env("urls");
        var envRev = env("rev");

        if (FetcherClassifier.IsBuiltinFetchurl(env("builder")))
        {
            kind = FetcherKind.BuiltinFetchurl;
            if (!string.IsNullOrEmpty(url))
            {
                written.Add(url);
            }
            var declared = new List<string>();
            UrlLists.AddWords(urlsText, declared, new HashSet<string>(StringComparer.Ordinal));
            if (declared.Count > 0 && !declared.SequenceEqual(written, StringComparer.Ordinal))
            {
                recipe.Add("ignoredUrls", declared);
            }
            recipe.AddFlag("unpack", env("unpack") == "1");
        }
        else
        {
            if (FetcherClassifier.IsGit(env("fetcher"), url, envRev, urlsText))
            {
                kind = FetcherKind.Git;
                if (!string.IsNullOrEmpty(url))
                {
                    written.Add(url);
                }
            }
            else
            {
                UrlLists.AddWords(urlsText, written, seen);
                if (!string.IsNullOrEmpty(url))
                {
                    UrlLists.AddUnique(url, written, seen);
                }
                kind = written.Count > 0
                    ? FetcherClassifier.ClassifyDownload(input, written, recursive)
                    : FetcherClassifier.ClassifyVendor(input);
            }
            rev = RevisionOf(kind, written, envRev, env);
            recipe.AddFlag("downloadToTemp", !string.IsNullOrEmpty(env("downloadToTemp")));
            if (env("postFetch") is { Length: > 0 } postFetch)
            {
                recipe.Add("postFetch", ScriptDigest.Of(postFetch));
            }
            recipe.Add("options", Collect(env, OptionKeys, digest: false));
            if (kind is FetcherKind.CargoVendor or FetcherKind.GoModules or FetcherKind.NpmDeps
                or FetcherKind.YarnDeps or FetcherKind.PnpmDeps or FetcherKind.Other)
            {
                recipe.Add("src", Collect(env, SourceKeys, digest: false));
            }
            if (kind == FetcherKind.Other)
            {
                recipe.Add("scripts", Collect(env, ScriptKeys, digest: true));
            }
        }

        recipe.Add("fetcher", kind.Name());
        recipe.Add("urls", written, always: true);
        recipe.Add("rev", rev);
        recipe.AddFlag("recursive", recursive);
        recipe.AddFlag("executable", env("executable") == "1");
        var recipeText = recipe.Build();

        var urls = kind is FetcherKind.BuiltinFetchurl or FetcherKind.Git
            ? written
            : UrlLists.Expand(written, input.MirrorSite ?? NoMirrors);

        return new FodRecord(
            input.DrvPath,
            input.OutputPath,
            input.Name,
            input.Hash.Algorithm,
            recursive ? "recursive" : "flat",
            input.Hash.ToSri(),
            env("outputHash") ?? input.Hash.ToBase16(),
            kind,
            urls,
            rev,
            recipeText,
            RecipeBuilder.Hash(recipeText));
    }

    /// <summary>
    /// Reads what <see cref="Extract"/> needs from a parsed <c>.drv</c>: method and hash from the
    /// output tuple (never from env <c>outputHash</c>, whose spelling varies, §7.1); env through
    /// <c>__json</c> for structured attrs; and the mirror sites from the <c>mirrors-list</c> input
    /// derivation whose output is env <c>mirrorsFile</c> (§7.4), so mirror expansion needs nothing
    /// but the drv graph. <paramref name="loadInputDrv"/> is called only for inputs named
    /// <c>…-mirrors-list.drv</c>, and only when some URL is a <c>mirror://</c> URL; it returns null
    /// for a drv it cannot provide, which leaves those URLs unexpanded.
    /// </summary>
    /// <exception cref="NixFormatException">The derivation is not fixed-output, or its <c>__json</c> is not a JSON object.</exception>
    public static FodInput FromDerivation(string drvPath, Derivation drv, Func<string, Derivation?> loadInputDrv)
    {
        ArgumentNullException.ThrowIfNull(drvPath);
        ArgumentNullException.ThrowIfNull(drv);
        ArgumentNullException.ThrowIfNull(loadInputDrv);
        if (!drv.IsFixedOutput)
        {
            throw new NixFormatException("derivation", 0, $"'{drvPath}' is not a fixed-output derivation (it needs exactly one output, 'out', with a fixed hash)");
        }
        var output = drv.Outputs[0];
        var env = DerivationEnv.For(drv);
        var inputs = new string[drv.InputDerivations.Count];
        for (var i = 0; i < inputs.Length; i++)
        {
            inputs[i] = drv.InputDerivations[i].Path;
        }
        return new FodInput(drvPath, output.Path, drv.Name, output.Method, output.FixedHash!, env, ResolveMirrors(inputs, env, loadInputDrv));
    }

    /// <summary>
    /// As <see cref="FromDerivation"/>, from the fields of a <c>.drv</c> that the caller read
    /// without building a <see cref="Derivation"/> (a scan reads thousands of FODs and needs a few
    /// env values of each): its fixed output, its plain env entries as text (a <c>__json</c> entry
    /// is read as structured attrs, as <see cref="FromDerivation"/> does) and its input derivations.
    /// </summary>
    /// <exception cref="NixFormatException">The output is not fixed, or <c>__json</c> is not a JSON object.</exception>
    public static FodInput FromFields(string drvPath, string name, DerivationOutput output, Func<string, string?> plainEnv, IReadOnlyList<string> inputDrvPaths, Func<string, Derivation?> loadInputDrv)
    {
        ArgumentNullException.ThrowIfNull(drvPath);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(plainEnv);
        ArgumentNullException.ThrowIfNull(inputDrvPaths);
        ArgumentNullException.ThrowIfNull(loadInputDrv);
        if (output.Kind != OutputKind.Fixed || output.Name != "out")
        {
            throw new NixFormatException("derivation", 0, $"'{drvPath}' is not a fixed-output derivation (it needs exactly one output, 'out', with a fixed hash)");
        }
        var env = DerivationEnv.Over(plainEnv);
        return new FodInput(drvPath, output.Path, name, output.Method, output.FixedHash!, env, ResolveMirrors(inputDrvPaths, env, loadInputDrv));
    }

    /// <summary>
    /// A <see cref="FodInput.MirrorSite"/> over a mirror list given as env-style entries (site →
    /// space-separated base URLs), e.g. the sites an evaluator read from a <c>mirrors-list</c>
    /// derivation without writing it; entries that are not sites by nixpkgs' own rule are ignored.
    /// </summary>
    public static Func<string, IReadOnlyList<string>?> MirrorSites(IEnumerable<KeyValuePair<string, string>> mirrorsListEnv)
    {
        ArgumentNullException.ThrowIfNull(mirrorsListEnv);
        return Lookup(MirrorLists.Parse(mirrorsListEnv));
    }

    private static Func<string, IReadOnlyList<string>?> ResolveMirrors(IReadOnlyList<string> inputDrvPaths, Func<string, string?> env, Func<string, Derivation?> loadInputDrv)
    {
        var mirrorsFile = env("mirrorsFile");
        if (string.IsNullOrEmpty(mirrorsFile) || env("urls") is not { } urls || !urls.Contains(UrlLists.MirrorScheme, StringComparison.Ordinal))
        {
            return NoMirrors;
        }
        foreach (var input in inputDrvPaths)
        {
            if (!input.EndsWith("-mirrors-list.drv", StringComparison.Ordinal))
            {
                continue;
            }
            var mirrorsList = loadInputDrv(input);
            if (mirrorsList is null)
            {
                continue;
            }
            foreach (var output in mirrorsList.Outputs)
            {
                if (output.Path == mirrorsFile)
                {
                    return Lookup(MirrorLists.Sites(mirrorsList));
                }
            }
        }
        return NoMirrors;
    }

    private static Func<string, IReadOnlyList<string>?> Lookup(Dictionary<string, IReadOnlyList<string>> sites) =>
        site => site is not null && sites.TryGetValue(site, out var bases) ? bases : null;

    /// <summary>
    /// Git: env <c>rev</c>. Forges: the revision in the URL actually fetched (env <c>rev</c> of recent
    /// fetchFromGitHub says the same, but the URL is what counts), else env <c>rev</c>. Unknown FODs:
    /// env <c>rev</c> if any. URL fetchers ignore <c>rev</c>, so it is not reported for them.
    /// </summary>
    private static string? RevisionOf(FetcherKind kind, IReadOnlyList<string> urls, string? envRev, Func<string, string?> env)
    {
        string? fromUrl = null;
        if (kind == FetcherKind.GitHub)
        {
            var githubBase = env("githubBase");
            foreach (var url in urls)
            {
                if (ForgeUrls.TryGitHub(url, githubBase, out fromUrl))
                {
                    break;
                }
            }
        }
        else if (kind == FetcherKind.GitLab)
        {
            foreach (var url in urls)
            {
                if (ForgeUrls.TryGitLab(url, out fromUrl))
                {
                    break;
                }
            }
        }
        else if (kind is not (FetcherKind.Git or FetcherKind.Other))
        {
            return null;
        }
        var rev = fromUrl ?? envRev;
        return string.IsNullOrEmpty(rev) ? null : rev;
    }

    private static SortedList<string, string>? Collect(Func<string, string?> env, string[] keys, bool digest)
    {
        SortedList<string, string>? values = null;
        foreach (var key in keys)
        {
            if (env(key) is { Length: > 0 } value)
            {
                values ??= new SortedList<string, string>(StringComparer.Ordinal);
                values[key] = digest ? ScriptDigest.Of(value) : value;
            }
        }
        return values;
    }
}
