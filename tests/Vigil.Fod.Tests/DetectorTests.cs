using Vigil.Data;
using Vigil.Fod.Detection;
using Vigil.Fod.Diff;
using Vigil.Nix.Fetchers;
using Vigil.Nix.Hashing;
using Vigil.Store.Provenance;

namespace Vigil.Fod.Tests;

public sealed class DetectorTests
{
    private static readonly StoredFod Honest = Fods.Make("hello", "hello-2.12.tar.gz", "good 2.12", "https://ftp.gnu.org/hello-2.12.tar.gz");

    private static DetectionContext Context(
        IReadOnlyList<StoredFod> baseFods,
        IReadOnlyList<StoredFod> headFods,
        IReadOnlyList<HistoricFod>? history = null,
        IReadOnlyList<StoreObjectOrigin>? origins = null,
        IReadOnlyDictionary<string, FodRecord>? recipes = null)
    {
        // As FodReview does: the history holds every stored FOD with the new hashes, the head's own included.
        history ??= [.. baseFods.Concat(headFods).Select(f => new HistoricFod(f.Fod, "r"))];
        return new DetectionContext(FodDiffer.Compute(baseFods, headFods), headFods, history, origins ?? [], recipes ?? new Dictionary<string, FodRecord>());
    }

    private static List<Finding> Run(IDetector detector, DetectionContext context) => [.. detector.Detect(context)];

    [Fact]
    public void Stale_hash_on_a_bump_is_an_error_when_the_path_stays_and_a_warning_when_the_name_changes()
    {
        var samePath = Fods.Make("hello", "hello-2.12.tar.gz", "good 2.12", "https://ftp.gnu.org/hello-2.13.tar.gz");
        var renamed = Fods.Make("hello", "hello-2.13.tar.gz", "good 2.12", "https://ftp.gnu.org/hello-2.13.tar.gz");
        var honestBump = Fods.Make("hello", "hello-2.13.tar.gz", "good 2.13", "https://ftp.gnu.org/hello-2.13.tar.gz");
        var detector = new HashUnchangedOnVersionBump();

        var error = Assert.Single(Run(detector, Context([Honest], [samePath])));
        var warning = Assert.Single(Run(detector, Context([Honest], [renamed])));

        Assert.Equal((Severity.Error, "hash-unchanged-on-version-bump", Honest), (error.Severity, error.Kind, error.Base));
        Assert.Contains("never downloads the new source", error.Message, StringComparison.Ordinal);
        Assert.Equal(Severity.Warning, warning.Severity);
        Assert.Empty(Run(detector, Context([Honest], [honestBump])));
        Assert.Empty(Run(detector, Context([Honest], [Honest])));
    }

    [Fact]
    public void Another_packages_hash_is_reported_with_where_it_was_seen()
    {
        var icon = Fods.Make("iconPack", "hello-2.13.tar.gz", "evil", "https://icons.example/pack.tar.gz");
        var victimBase = Fods.Make("hello", "hello-2.12.tar.gz", "good 2.12", "https://ftp.gnu.org/hello-2.12.tar.gz");
        var poisoned = Fods.Make("hello", "hello-2.13.tar.gz", "evil", "https://ftp.gnu.org/hello-2.13.tar.gz");
        var elsewhere = Fods.Make("hello", "hello-2.13-other-name.tar.gz", "evil", "https://ftp.gnu.org/hello-2.13.tar.gz");
        var detector = new HashReusedWithNewRecipe();

        var samePath = Assert.Single(Run(detector, Context([victimBase, icon], [poisoned, icon])));
        var otherPath = Assert.Single(Run(detector, Context([victimBase, icon], [elsewhere, icon])));

        Assert.Equal(Severity.Error, samePath.Severity);
        Assert.Equal([icon.Fod], samePath.Related);
        Assert.Contains("https://icons.example/pack.tar.gz", samePath.Message, StringComparison.Ordinal);
        Assert.Contains("revision r", samePath.Message, StringComparison.Ordinal);
        Assert.Equal(Severity.Warning, otherPath.Severity);
    }

    [Fact]
    public void Hash_reuse_ignores_the_same_recipe_the_bumps_own_old_recipe_and_the_heads_other_new_fods()
    {
        var detector = new HashReusedWithNewRecipe();
        var stale = Fods.Make("hello", "hello-2.12.tar.gz", "good 2.12", "https://ftp.gnu.org/hello-2.13.tar.gz");
        var twinA = Fods.Make("a", "x.tar.gz", "same", "https://a.example/x.tar.gz");
        var twinB = Fods.Make("b", "x.tar.gz", "same", "https://b.example/x.tar.gz");

        Assert.Empty(Run(detector, Context([Honest], [Honest.ReachedBy("hello", "world")])));
        Assert.Empty(Run(detector, Context([Honest], [stale])));
        Assert.Empty(Run(detector, Context([], [twinA, twinB])));
    }

    [Fact]
    public void Content_a_store_holds_from_another_recipe_is_reuse_and_from_no_build_is_a_non_fod_collision()
    {
        var fresh = Fods.Make(["app"], "source", "tree", "recursive", ["https://github.com/o/app/archive/v1.tar.gz"], null, FetcherKind.GitHub);
        var attackerDrv = Fods.StorePath("attacker", "source.drv");
        var attackerRecipe = Fods.Make(["x"], "source", "tree", "recursive", ["https://evil.example/a.tar.gz"], null, FetcherKind.Fetchzip).Fod with { DrvPath = attackerDrv };
        var builtByAttacker = new StoreObjectOrigin(fresh.Fod.OutputPath, "file:///cache", "fixed:r:sha256:x", attackerDrv, []);
        var builtByUnknown = builtByAttacker with { Deriver = Fods.StorePath("unknown", "source.drv") };
        var builtByItself = builtByAttacker with { Deriver = fresh.Fod.DrvPath };
        var addedDirectly = new StoreObjectOrigin(fresh.Fod.OutputPath, "local store", "fixed:r:sha256:x", null, [fresh.Fod.DrvPath]);
        var reuse = new HashReusedWithNewRecipe();
        var nonFod = new PathCollidesWithNonFod();
        var recipes = new Dictionary<string, FodRecord> { [attackerDrv] = attackerRecipe };

        var fromAttacker = Assert.Single(Run(reuse, Context([], [fresh], [], [builtByAttacker], recipes)));
        var fromUnknown = Assert.Single(Run(reuse, Context([], [fresh], [], [builtByUnknown], recipes)));
        var collision = Assert.Single(Run(nonFod, Context([], [fresh], [], [addedDirectly], recipes)));

        Assert.Equal(Severity.Error, fromAttacker.Severity);
        Assert.Contains("https://evil.example/a.tar.gz", fromAttacker.Message, StringComparison.Ordinal);
        Assert.Contains("never seen", fromUnknown.Message, StringComparison.Ordinal);
        Assert.Equal((Severity.Error, "path-collides-with-non-fod"), (collision.Severity, collision.Kind));
        Assert.Empty(Run(reuse, Context([], [fresh], [], [builtByItself], recipes)));
        Assert.Empty(Run(nonFod, Context([], [fresh], [], [builtByAttacker], recipes)));
        Assert.Empty(Run(reuse, Context([], [fresh], [], [addedDirectly], recipes)));
    }

    [Fact]
    public void Two_recipes_sharing_an_output_path_in_one_revision_are_reported_when_one_is_new()
    {
        var icon = Fods.Make("icons", "honest-1.0.tar.gz", "evil", "https://icons.example/i.tar.gz");
        var honest = Fods.Make("honest", "honest-1.0.tar.gz", "evil", "https://honest.org/honest-1.0.tar.gz");
        var detector = new OutputPathSharedByRecipes();

        var findings = Run(detector, Context([], [icon, honest]));

        Assert.Equal(2, findings.Count);
        Assert.All(findings, f => Assert.Equal(Severity.Error, f.Severity));
        Assert.Empty(Run(detector, Context([icon, honest], [icon, honest])));
    }

    [Fact]
    public void Hashed_mirror_only_sources_are_flagged_and_upstream_urls_are_not()
    {
        var content = "payload";
        var hex = NixHash.Compute(HashAlgorithmKind.Sha256, System.Text.Encoding.UTF8.GetBytes(content)).ToBase16();
        var viaMirror = Fods.Make("p", "p-1.tar.gz", content, $"http://127.0.0.1:8080/tarballs/sha256/{hex}");
        var viaTarballs = Fods.Make("q", "q-1.tar.gz", "other", "https://tarballs.nixos.org/sha256/0abc");
        var withUpstream = Fods.Make("r", "r-1.tar.gz", content, $"http://127.0.0.1:8080/sha256/{hex}", "https://r.org/r-1.tar.gz");
        var detector = new FetchFromHashedMirrorOnly();

        var findings = Run(detector, Context([], [viaMirror, viaTarballs, withUpstream]));

        Assert.Equal(["p", "q"], findings.Select(f => f.Fod.Attrs[0]).Order(StringComparer.Ordinal));
        Assert.All(findings, f => Assert.Equal(Severity.Warning, f.Severity));
    }

    [Fact]
    public void Fods_without_url_or_rev_are_flagged_except_vendor_fods()
    {
        var script = Fods.Make(["gen"], "generated", "g", "recursive", [], null, FetcherKind.Other);
        var vendor = Fods.Make(["app"], "app-vendor", "v", "recursive", [], null, FetcherKind.CargoVendor);
        var git = Fods.Make(["lib"], "source", "l", "recursive", [], "0123456789abcdef0123456789abcdef01234567", FetcherKind.Git);

        var finding = Assert.Single(Run(new FodWithoutUrl(), Context([], [script, vendor, git])));

        Assert.Equal(("fod-without-url", Severity.Warning, script), (finding.Kind, finding.Severity, finding.Fod));
    }

    [Fact]
    public void Every_new_or_changed_fod_gets_an_unverified_note_and_unchanged_ones_do_not()
    {
        var bumped = Fods.Make("hello", "hello-2.13.tar.gz", "good 2.13", "https://ftp.gnu.org/hello-2.13.tar.gz");
        var added = Fods.Make("new", "new-1.tar.gz", "n", "https://new.org/new-1.tar.gz");
        var kept = Fods.Make("zlib", "zlib-1.3.tar.gz", "z", "https://zlib.net/zlib-1.3.tar.gz");

        var notes = Run(new ChangedFodUnverified(), Context([Honest, kept], [bumped, added, kept]));

        Assert.Equal(new[] { added, bumped }.Select(f => f.Fod.DrvPath).Order(StringComparer.Ordinal), notes.Select(n => n.Fod.Fod.DrvPath).Order(StringComparer.Ordinal));
        Assert.All(notes, n => Assert.Equal(Severity.Note, n.Severity));
    }

    [Fact]
    public void Honest_changes_give_no_finding_above_note()
    {
        var bumped = Fods.Make("hello", "hello-2.13.tar.gz", "good 2.13", "https://ftp.gnu.org/hello-2.13.tar.gz");
        var renamedAttr = Fods.Make("zlib", "zlib-1.3.tar.gz", "z", "https://zlib.net/zlib-1.3.tar.gz");
        var context = Context([Honest, renamedAttr], [bumped, renamedAttr.ReachedBy("zlib-ng-compat")]);

        var findings = FodReview.Detectors.SelectMany(d => d.Detect(context)).ToList();

        Assert.All(findings, f => Assert.Equal(Severity.Note, f.Severity));
        Assert.Single(findings);
    }
}
