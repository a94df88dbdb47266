using CsCheck;
using Vigil.Data;
using Vigil.Fod.Diff;

namespace Vigil.Fod.Tests;

public sealed class FodDifferTests
{
    // Small pools so that generated revisions share attributes, names, contents and URLs often.
    private static readonly Gen<StoredFod> GenFod =
        Gen.Select(Gen.Int[0, 5], Gen.Int[0, 3], Gen.Int[0, 4], Gen.Int[0, 4], Gen.Int[0, 2])
            .Select((attr, version, content, url, mode) => Fods.Make(
                [$"pkg{attr}"], $"pkg{attr}-{version}.tar.gz", $"content{content}", mode == 0 ? "flat" : "recursive",
                [$"https://example.org/{url}/pkg{attr}-{version}.tar.gz"], null, Nix.Fetchers.FetcherKind.Fetchurl));

    private static readonly Gen<List<StoredFod>> GenRevision =
        GenFod.List[0, 12].Select(l => l.DistinctBy(f => f.Fod.DrvPath).ToList());

    [Fact]
    public void A_revision_diffed_with_itself_is_empty()
    {
        GenRevision.Sample(fods =>
        {
            var diff = FodDiffer.Compute(fods, fods);
            Assert.True(diff.IsEmpty);
            Assert.Equal(fods.Count, diff.Unchanged);
        });
    }

    [Fact]
    public void Diffs_in_both_directions_are_mirror_images()
    {
        Gen.Select(GenRevision, GenRevision).Sample((a, b) =>
        {
            var forward = FodDiffer.Compute(a, b);
            var backward = FodDiffer.Compute(b, a);
            Assert.Equal(Paths(forward.Added), Paths(backward.Removed));
            Assert.Equal(Paths(forward.Removed), Paths(backward.Added));
            Assert.Equal(Pairs(forward.Changed), Pairs(backward.Changed.Select(c => c.Reversed())));
        });
    }

    [Fact]
    public void Every_fod_is_accounted_for_exactly_once()
    {
        Gen.Select(GenRevision, GenRevision).Sample((a, b) =>
        {
            var diff = FodDiffer.Compute(a, b);
            Assert.Equal(b.Count, diff.Added.Count + diff.Changed.Count + diff.Unchanged);
            var baseSide = diff.Removed.Concat(diff.Changed.Select(c => c.Base)).Select(f => f.Fod.DrvPath).ToList();
            Assert.Equal(baseSide.Count, baseSide.Distinct().Count());
            var headSide = diff.Added.Concat(diff.Changed.Select(c => c.Head)).Select(f => f.Fod.DrvPath).ToList();
            Assert.Equal(headSide.Count, headSide.Distinct().Count());
            Assert.All(diff.Changed, c => Assert.True(c.Base.Fod.OutputPath != c.Head.Fod.OutputPath || c.RecipeChanged));
        });
    }

    [Fact]
    public void A_version_bump_pairs_old_and_new_source_of_the_attribute()
    {
        var old = Fods.Make("hello", "hello-2.12.tar.gz", "v2.12", "https://ftp.gnu.org/hello-2.12.tar.gz");
        var bumped = Fods.Make("hello", "hello-2.13.tar.gz", "v2.13", "https://ftp.gnu.org/hello-2.13.tar.gz");
        var other = Fods.Make("zlib", "zlib-1.3.tar.gz", "zlib", "https://zlib.net/zlib-1.3.tar.gz");

        var diff = FodDiffer.Compute([old, other], [bumped, other.ReachedBy("zlib", "hello")]);

        var change = Assert.Single(diff.Changed);
        Assert.Same(old, change.Base);
        Assert.Same(bumped, change.Head);
        Assert.True(change.HashChanged && change.RecipeChanged);
        Assert.Empty(diff.Added);
        Assert.Empty(diff.Removed);
        Assert.Equal(1, diff.Unchanged);
    }

    [Fact]
    public void Renamed_attributes_and_moved_fods_are_unchanged_and_a_renamed_bump_pairs_by_name()
    {
        var src = Fods.Make("foo", "foo-1.0.tar.gz", "foo1", "https://foo.org/foo-1.0.tar.gz");
        var bar = Fods.Make("bar", "bar-3.1.tar.gz", "bar3.1", "https://bar.org/bar-3.1.tar.gz");
        var barBumped = Fods.Make("barTool", "bar-3.2.tar.gz", "bar3.2", "https://bar.org/bar-3.2.tar.gz");

        var diff = FodDiffer.Compute([src, bar], [src.ReachedBy("fooRenamed"), barBumped]);

        Assert.Equal(1, diff.Unchanged);
        var change = Assert.Single(diff.Changed);
        Assert.Equal((bar, barBumped), (change.Base, change.Head));
    }

    [Fact]
    public void Same_output_path_with_a_new_recipe_is_a_change_not_an_addition()
    {
        var honest = Fods.Make("lib", "lib-1.0.tar.gz", "good", "https://lib.org/lib-1.0.tar.gz");
        var swapped = Fods.Make("libFork", "lib-1.0.tar.gz", "good", "https://evil.example/lib-1.0.tar.gz");

        var diff = FodDiffer.Compute([honest], [swapped]);

        var change = Assert.Single(diff.Changed);
        Assert.False(change.HashChanged);
        Assert.True(change.RecipeChanged);
    }

    [Fact]
    public void Unpaired_fods_are_added_and_removed()
    {
        var gone = Fods.Make("old", "old-1.tar.gz", "old", "https://old.org/old-1.tar.gz");
        var fresh = Fods.Make("new", "new-1.zip", "new", "https://new.org/new-1.zip");

        var diff = FodDiffer.Compute([gone], [fresh]);

        Assert.Equal([fresh], diff.Added);
        Assert.Equal([gone], diff.Removed);
        Assert.Empty(diff.Changed);
    }

    private static List<string> Paths(IEnumerable<StoredFod> fods) => [.. fods.Select(f => f.Fod.DrvPath).Order(StringComparer.Ordinal)];

    private static List<string> Pairs(IEnumerable<FodChange> changes) => [.. changes.Select(c => c.Base.Fod.DrvPath + ">" + c.Head.Fod.DrvPath).Order(StringComparer.Ordinal)];
}
