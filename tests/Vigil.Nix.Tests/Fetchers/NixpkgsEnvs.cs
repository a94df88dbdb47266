namespace Vigil.Nix.Tests.Fetchers;

/// <summary>
/// The env entries nixpkgs (2025) fetchers put into their FODs, per docs/nix-formats.md §7.3–7.5
/// (fetchurl/default.nix, fetchzip, fetchgit, fetchFromGitHub, the vendor fetchers). Tools are
/// made-up store paths; the attribute names and the shapes of their values are nixpkgs'.
/// </summary>
internal static class NixpkgsEnvs
{
    public static readonly string Stdenv = HandWrittenDrvs.ToolPath("stdenv-linux");
    public static readonly string Curl = HandWrittenDrvs.ToolPath("curl-8.12.1-bin");
    public static readonly string PrefetchGit = HandWrittenDrvs.ToolPath("nix-prefetch-git");
    public static readonly string Patchutils = HandWrittenDrvs.ToolPath("patchutils-0.4.2");

    /// <summary>
    /// fetchurl's env: <c>urls</c> space-separated, <c>mirrorsFile</c>, <c>hash</c> SRI with
    /// <c>outputHashAlgo</c> empty, and every flag Nix-coerced (false → "", true → "1").
    /// </summary>
    public static Dictionary<string, string> Fetchurl(string urls, string sriHash, string mirrorsFile, bool recursive = false) => new()
    {
        ["SSL_CERT_FILE"] = "/no-cert-file.crt",
        ["curlOpts"] = "",
        ["curlOptsList"] = "",
        ["downloadToTemp"] = "",
        ["executable"] = "",
        ["hash"] = sriHash,
        ["impureEnvVars"] = "http_proxy https_proxy ftp_proxy all_proxy no_proxy HTTP_PROXY HTTPS_PROXY FTP_PROXY ALL_PROXY NO_PROXY NIX_CURL_FLAGS NIX_HASHED_MIRRORS NIX_CONNECT_TIMEOUT NIX_MIRRORS_alsa NIX_MIRRORS_apache NIX_MIRRORS_gnu NIX_MIRRORS_sourceforge",
        ["mirrorsFile"] = mirrorsFile,
        ["nativeBuildInputs"] = Curl,
        ["netrcImpureEnvVars"] = "",
        ["netrcPhase"] = "",
        ["nixpkgsVersion"] = "25.05",
        ["outputHash"] = sriHash,
        ["outputHashAlgo"] = "",
        ["outputHashMode"] = recursive ? "recursive" : "flat",
        ["postFetch"] = "",
        ["preferHashedMirrors"] = "",
        ["preferLocalBuild"] = "1",
        ["recursiveHash"] = recursive ? "1" : "",
        ["showURLs"] = "",
        ["stdenv"] = Stdenv,
        ["strictDeps"] = "",
        ["urls"] = urls,
    };

    /// <summary>fetchzip = fetchurl + recursiveHash + downloadToTemp + an unpacking postFetch.</summary>
    public static Dictionary<string, string> Fetchzip(string urls, string sriHash, string mirrorsFile, string extraPostFetch = "")
    {
        var env = Fetchurl(urls, sriHash, mirrorsFile, recursive: true);
        env["downloadToTemp"] = "1";
        env["extension"] = "tar.gz";
        env["stripRoot"] = "1";
        env["postFetch"] = """
            unpackDir="$TMPDIR/unpack"
            mkdir "$unpackDir"
            cd "$unpackDir"

            renamed="$TMPDIR/download.tar.gz"
            mv "$downloadedFile" "$renamed"
            unpackFile "$renamed"
            chmod -R +w "$unpackDir"
            if [ $(ls -A "$unpackDir" | wc -l) != 1 ]; then
              echo "error: zip file must contain a single file or directory."
              exit 1
            fi
            fn=$(cd "$unpackDir" && ls -A)
            if [ -f "$unpackDir/$fn" ]; then
              mkdir $out
            fi
            mv "$unpackDir/$fn" "$out"

            """ + extraPostFetch + "\nchmod 755 \"$out\"\n";
        return env;
    }

    /// <summary>fetchFromGitHub, archive form: fetchzip plus githubBase/owner/repo/rev/tag/revCustom.</summary>
    public static Dictionary<string, string> GitHubArchive(string owner, string repo, string rev, string sriHash, string mirrorsFile, string? tag = null)
    {
        var revWithTag = tag is null ? rev : "refs/tags/" + tag;
        var env = Fetchzip($"https://github.com/{owner}/{repo}/archive/{revWithTag}.tar.gz", sriHash, mirrorsFile);
        env["githubBase"] = "github.com";
        env["owner"] = owner;
        env["repo"] = repo;
        env["rev"] = revWithTag;
        env["revCustom"] = tag is null ? rev : "";
        env["tag"] = tag ?? "";
        return env;
    }

    /// <summary>fetchgit: env url + rev, the nix-prefetch-git fetcher, checkout flags.</summary>
    public static Dictionary<string, string> Fetchgit(string url, string rev, string sriHash, bool submodules = false) => new()
    {
        ["branchName"] = "",
        ["deepClone"] = "",
        ["fetchLFS"] = "",
        ["fetchSubmodules"] = submodules ? "1" : "",
        ["fetchTags"] = "",
        ["fetcher"] = PrefetchGit,
        ["gitConfigFile"] = "",
        ["impureEnvVars"] = "http_proxy https_proxy ftp_proxy all_proxy no_proxy GIT_PROXY_COMMAND NIX_GIT_SSL_CAINFO SOCKS_SERVER",
        ["leaveDotGit"] = "",
        ["nativeBuildInputs"] = HandWrittenDrvs.ToolPath("git-2.48.1") + " " + HandWrittenDrvs.ToolPath("cacert-3.108"),
        ["nonConeMode"] = "",
        ["outputHash"] = sriHash,
        ["outputHashAlgo"] = "",
        ["outputHashMode"] = "recursive",
        ["postFetch"] = "",
        ["preferLocalBuild"] = "1",
        ["rev"] = rev,
        ["rootDir"] = "",
        ["sparseCheckout"] = "",
        ["stdenv"] = Stdenv,
        ["url"] = url,
    };

    /// <summary>fetchpatch: fetchurl with a postFetch that normalises the patch through patchutils.</summary>
    public static Dictionary<string, string> Fetchpatch(string url, string sriHash, string mirrorsFile, string patchutils)
    {
        var env = Fetchurl(url, sriHash, mirrorsFile);
        env["postFetch"] = $"""
            tmpfile="$TMPDIR/patch"

            set +e
            {patchutils}/bin/lsdiff \
              --include-from-file <(lsdiff "$out") "$out" > "$tmpfile"
            "{patchutils}/bin/filterdiff" --clean "$out" > "$tmpfile"
            mv "$tmpfile" "$out"

            """;
        return env;
    }

    /// <summary>
    /// A vendor FOD (fetchCargoVendor's staging, goModules, fetchNpmDeps…): no URL, the source it
    /// reads the lockfile from in <c>src</c>, its own build phases.
    /// </summary>
    public static Dictionary<string, string> Vendor(string src, string sriHash) => new()
    {
        ["buildPhase"] = "runHook preBuild\nfetch-deps . \"$out\"\nrunHook postBuild\n",
        ["dontConfigure"] = "1",
        ["impureEnvVars"] = "http_proxy https_proxy ftp_proxy all_proxy no_proxy",
        ["nativeBuildInputs"] = HandWrittenDrvs.ToolPath("cacert-3.108"),
        ["outputHash"] = sriHash,
        ["outputHashAlgo"] = "",
        ["outputHashMode"] = "recursive",
        ["src"] = src,
        ["stdenv"] = Stdenv,
        ["strictDeps"] = "1",
    };
}
