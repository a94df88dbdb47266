using Vigil.Data.Tests.Support;
using Vigil.Nix.Fetchers;
using Vigil.Testing;

namespace Vigil.Data.Tests;

/// <summary>Revisions stored as the difference from a base revision (schema v11) read as if stored whole.</summary>
public abstract partial class DatabaseContractTests
{
    private static RevisionFod Member(FodRecord fod, params string[] attrs) => new(fod.DrvPath, attrs.Length == 0 ? ["x"] : attrs, Math.Max(attrs.Length, 1));

    /// <summary>What <see cref="VigilDatabase.ListFodsAsync"/> must give for <paramref name="members"/>.</summary>
    private static List<string> Expected(IEnumerable<RevisionFod> members, List<FodRecord> fods) =>
        [.. members.OrderBy(m => m.DrvPath, StringComparer.Ordinal).Select(m => TestData.Render(new StoredFod(fods.Single(f => f.DrvPath == m.DrvPath), m.Attrs, m.AttrCount)))];

    private async Task<string> StoredBaseAsync(string cs, RevisionInfo revision) =>
        Assert.Single(await RawQueryAsync(cs, $"SELECT COALESCE(fods_base_id, 0) FROM revisions WHERE id = {revision.Id}"));

    private async Task<int> StoredRowsAsync(string cs, RevisionInfo revision) =>
        int.Parse(Assert.Single(await RawQueryAsync(cs, $"SELECT COUNT(*) FROM revision_fods WHERE revision_id = {revision.Id}")), System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_revision_that_differs_a_little_from_the_newest_whole_one_is_stored_as_the_difference_and_reads_the_same()
    {
        var cs = await NewDatabaseAsync();
        var clock = new ManualClock(T0);
        await using var db = await VigilDatabase.OpenAsync(cs, clock, Ct);
        var (_, fods) = TestData.Graph(80); // 40 FODs
        await db.WriteFodsAsync(fods, Ct);
        var aMembers = fods.Take(32).Select(f => Member(f)).ToList();
        var a = await db.SaveRevisionAsync("a", "t", [], aMembers, [], null, Ct);
        // Two FODs gone, one new, one reached by another attribute as well.
        var bMembers = fods.Take(30).Select(f => f == fods[5] ? Member(f, "y", "x") : Member(f)).Append(Member(fods[32])).ToList();
        clock.Now = T0.AddHours(1);

        var b = await db.SaveRevisionAsync("b", "t", [], bMembers, [], null, Ct);

        Assert.Equal(31, b.FodCount);
        Assert.Equal([$"{a.Id}", "0"], [await StoredBaseAsync(cs, b), await StoredBaseAsync(cs, a)]);
        Assert.Equal(4, await StoredRowsAsync(cs, b));
        Assert.Equal(Expected(bMembers, fods), (await db.ListFodsAsync(b.Id, Ct)).Select(TestData.Render));
        Assert.Equal(Expected(aMembers, fods), (await db.ListFodsAsync(a.Id, Ct)).Select(TestData.Render));
        Assert.Equal(bMembers.Select(m => m.DrvPath).Order(StringComparer.Ordinal), (await db.ListSourceFodsAsync(b.Id, Ct)).Select(f => f.DrvPath));
        Assert.Equal([fods[32].DrvPath], (await db.ListFodsNotInAsync(b.Id, a.Id, Ct)).Select(f => f.Fod.DrvPath));
        Assert.Equal(new[] { fods[30], fods[31] }.Select(f => f.DrvPath).Order(StringComparer.Ordinal), (await db.ListFodsNotInAsync(a.Id, b.Id, Ct)).Select(f => f.Fod.DrvPath));
        Assert.Equal([fods[1].DrvPath], (await db.FindFodsByOutputPathAsync(b.Id, [fods[1].OutputPath, fods[30].OutputPath], Ct)).Select(f => f.Fod.DrvPath));
        var byHash = await db.FindFodsByHashAsync([fods[1].HashSri, fods[31].HashSri, fods[32].HashSri], Ct);
        Assert.Equal(["a", "a", "b"], new[] { fods[1], fods[31], fods[32] }.Select(f => byHash.Single(h => h.Fod.DrvPath == f.DrvPath).FirstRevision));

        // Fewer FODs than its base by more than a quarter: stored whole, not as a difference larger than what it describes.
        clock.Now = T0.AddHours(2);
        var c = await db.SaveRevisionAsync("c", "t", [], [.. fods.Skip(20).Select(f => Member(f))], [], null, Ct);
        Assert.Equal(["0", "20"], [await StoredBaseAsync(cs, c), $"{await StoredRowsAsync(cs, c)}"]);
        // As many FODs as its base (c), none the same.
        clock.Now = T0.AddHours(3);
        var d = await db.SaveRevisionAsync("d", "t", [], [.. fods.Take(20).Select(f => Member(f))], [], null, Ct);
        Assert.Equal(["0", "20"], [await StoredBaseAsync(cs, d), $"{await StoredRowsAsync(cs, d)}"]);
    }

    [Fact]
    public async Task Replacing_or_deleting_a_base_revision_leaves_what_its_dependents_hold()
    {
        var cs = await NewDatabaseAsync();
        var clock = new ManualClock(T0);
        await using var db = await VigilDatabase.OpenAsync(cs, clock, Ct);
        var (_, fods) = TestData.Graph(80); // 40 FODs
        await db.WriteFodsAsync(fods, Ct);
        var a = await db.SaveRevisionAsync("a", "t", [], [.. fods.Take(32).Select(f => Member(f))], [], null, Ct);
        var bMembers = fods.Skip(1).Take(32).Select(f => Member(f)).ToList();
        clock.Now = T0.AddHours(1);
        var b = await db.SaveRevisionAsync("b", "t", [], bMembers, [], null, Ct);
        Assert.Equal($"{a.Id}", await StoredBaseAsync(cs, b));

        // Rescanned, a no longer holds what b was stored against: b is stored whole first, and a,
        // close to b, becomes the difference from it.
        var aMembers = fods.Take(31).Select(f => f == fods[0] ? Member(f, "z") : Member(f)).ToList();
        clock.Now = T0.AddHours(2);
        a = await db.SaveRevisionAsync("a", "t", [], aMembers, [], null, Ct);

        Assert.Equal(["0", $"{b.Id}"], [await StoredBaseAsync(cs, b), await StoredBaseAsync(cs, a)]);
        Assert.Equal(32, await StoredRowsAsync(cs, b));
        Assert.Equal(Expected(bMembers, fods), (await db.ListFodsAsync(b.Id, Ct)).Select(TestData.Render));
        Assert.Equal(Expected(aMembers, fods), (await db.ListFodsAsync(a.Id, Ct)).Select(TestData.Render));

        // Deleting the base stores its dependent whole.
        Assert.True(await db.DeleteRevisionAsync(b.Id, Ct));

        Assert.Equal(["0", "31"], [await StoredBaseAsync(cs, a), $"{await StoredRowsAsync(cs, a)}"]);
        Assert.Equal(Expected(aMembers, fods), (await db.ListFodsAsync(a.Id, Ct)).Select(TestData.Render));
        Assert.Equal(["31"], await RawQueryAsync(cs, "SELECT COUNT(*) FROM revision_fods"));
    }
}
