using Vigil.Data.Tests.Support;
using Vigil.Testing;

namespace Vigil.Data.Tests;

/// <summary>Graphs stored as the difference from a base graph (schema v12) read as if stored whole.</summary>
public abstract partial class DatabaseContractTests
{
    /// <summary>
    /// <paramref name="graph"/> without its last <paramref name="drop"/> nodes (every node names only
    /// earlier ones, so the rest stays closed), and <paramref name="add"/> new nodes naming kept ones.
    /// </summary>
    private static RevisionGraph Variant(RevisionGraph graph, int drop, int add, string seed)
    {
        var kept = graph.Count - drop;
        var nodes = Enumerable.Range(0, kept).Select(n => (graph.Path(n), graph.IsFod(n), graph.Inputs(n).ToArray())).ToList();
        for (var i = 0; i < add; i++)
        {
            nodes.Add((TestData.DrvPath(seed, i), i % 2 == 0, [i % kept, (i * 7) % kept, kept + i - 1 >= kept ? kept + i - 1 : 0]));
        }
        return TestData.BuildGraph(nodes);
    }

    private async Task<string> GraphBaseAsync(string cs, RevisionInfo revision) =>
        Assert.Single(await RawQueryAsync(cs, $"SELECT COALESCE(base_id, 0) FROM revision_graphs WHERE revision_id = {revision.Id}"));

    [Fact]
    public async Task A_graph_that_differs_a_little_from_the_newest_whole_one_is_stored_as_the_difference_and_reads_the_same()
    {
        var cs = await NewDatabaseAsync();
        var clock = new ManualClock(T0);
        await using var db = await VigilDatabase.OpenAsync(cs, clock, Ct);
        var (g1, _) = TestData.Graph(200, "one");
        var g2 = Variant(g1, 20, 25, "two");
        var g3 = Variant(g2, 10, 5, "three");
        var unrelated = TestData.Graph(200, "other").Graph;

        var r1 = await db.SaveRevisionAsync("r1", "t", [], [], [], g1, Ct);
        clock.Now = T0.AddHours(1);
        var r2 = await db.SaveRevisionAsync("r2", "t", [], [], [], g2, Ct);
        clock.Now = T0.AddHours(2);
        var r3 = await db.SaveRevisionAsync("r3", "t", [], [], [], g3, Ct);
        clock.Now = T0.AddHours(3);
        var r4 = await db.SaveRevisionAsync("r4", "t", [], [], [], unrelated, Ct);
        // Adding over half its nodes to the newest whole graph (r4's): whole again.
        clock.Now = T0.AddHours(4);
        var r5 = await db.SaveRevisionAsync("r5", "t", [], [], [], Variant(g1, 60, 0, "five"), Ct);

        // Both differences from r1, the newest whole graph when they were saved; r3's from r1, not from r2.
        Assert.Equal(["0", $"{r1.Id}", $"{r1.Id}", "0", "0"], [await GraphBaseAsync(cs, r1), await GraphBaseAsync(cs, r2), await GraphBaseAsync(cs, r3), await GraphBaseAsync(cs, r4), await GraphBaseAsync(cs, r5)]);
        Assert.Equal([$"{r2.Id}|205", $"{r3.Id}|200"], await RawQueryAsync(cs, $"SELECT revision_id, node_count FROM revision_graphs WHERE revision_id IN ({r2.Id}, {r3.Id}) ORDER BY revision_id"));
        // Read here (whose last decoded base may serve) and by another process (which reads the base).
        await using var other = await VigilDatabase.OpenAsync(cs, clock, Ct);
        foreach (var reader in new[] { db, other })
        {
            Assert.Equal(TestData.Canonical(g1), TestData.Canonical(await reader.LoadGraphAsync(r1.Id, Ct)));
            Assert.Equal(TestData.Canonical(g2), TestData.Canonical(await reader.LoadGraphAsync(r2.Id, Ct)));
            Assert.Equal(TestData.Canonical(g3), TestData.Canonical(await reader.LoadGraphAsync(r3.Id, Ct)));
            Assert.Equal(TestData.Canonical(Variant(g1, 60, 0, "five")), TestData.Canonical(await reader.LoadLatestGraphAsync(Ct)));
        }
        // The difference is the smaller blob by far.
        var sizes = await RawQueryAsync(cs, $"SELECT LENGTH(graph) FROM revision_graphs WHERE revision_id IN ({r1.Id}, {r2.Id}) ORDER BY revision_id");
        Assert.True(int.Parse(sizes[1], System.Globalization.CultureInfo.InvariantCulture) * 3 < int.Parse(sizes[0], System.Globalization.CultureInfo.InvariantCulture), string.Join(", ", sizes));
    }

    [Fact]
    public async Task Replacing_or_deleting_a_base_graph_stores_its_dependents_whole()
    {
        var cs = await NewDatabaseAsync();
        var clock = new ManualClock(T0);
        await using var db = await VigilDatabase.OpenAsync(cs, clock, Ct);
        var (g1, _) = TestData.Graph(100, "one");
        var g2 = Variant(g1, 5, 5, "two");
        var g3 = Variant(g1, 8, 3, "three");
        var r1 = await db.SaveRevisionAsync("r1", "t", [], [], [], g1, Ct);
        clock.Now = T0.AddHours(1);
        var r2 = await db.SaveRevisionAsync("r2", "t", [], [], [], g2, Ct);
        clock.Now = T0.AddHours(2);
        var r3 = await db.SaveRevisionAsync("r3", "t", [], [], [], g3, Ct);
        Assert.Equal([$"{r1.Id}", $"{r1.Id}"], [await GraphBaseAsync(cs, r2), await GraphBaseAsync(cs, r3)]);

        // Rescanning r1 stores r2 and r3 whole first; r1 becomes the difference from r3, the newest whole one.
        clock.Now = T0.AddHours(3);
        var g1Again = Variant(g1, 1, 1, "again");
        await db.SaveRevisionAsync("r1", "t", [], [], [], g1Again, Ct);
        Assert.Equal(["0", "0", $"{r3.Id}"], [await GraphBaseAsync(cs, r2), await GraphBaseAsync(cs, r3), await GraphBaseAsync(cs, r1)]);
        Assert.Equal(TestData.Canonical(g2), TestData.Canonical(await db.LoadGraphAsync(r2.Id, Ct)));
        Assert.Equal(TestData.Canonical(g3), TestData.Canonical(await db.LoadGraphAsync(r3.Id, Ct)));
        Assert.Equal(TestData.Canonical(g1Again), TestData.Canonical(await db.LoadGraphAsync(r1.Id, Ct)));

        // Deleting r3 stores r1 whole; resaving r2 without a graph drops only r2's.
        Assert.True(await db.DeleteRevisionAsync(r3.Id, Ct));
        Assert.Equal("0", await GraphBaseAsync(cs, r1));
        Assert.Equal(TestData.Canonical(g1Again), TestData.Canonical(await db.LoadGraphAsync(r1.Id, Ct)));
        clock.Now = T0.AddHours(4);
        await db.SaveRevisionAsync("r2", "t", [], [], [], null, Ct);
        Assert.Equal([$"{r1.Id}"], await RawQueryAsync(cs, "SELECT revision_id FROM revision_graphs"));
        Assert.Equal(TestData.Canonical(g1Again), TestData.Canonical(await db.LoadLatestGraphAsync(Ct)));
    }

    [Fact]
    public async Task A_base_graph_is_kept_beyond_the_newest_while_a_kept_graph_needs_it()
    {
        var cs = await NewDatabaseAsync();
        var clock = new ManualClock(T0);
        await using var db = await VigilDatabase.OpenAsync(cs, clock, Ct);
        var (g0, _) = TestData.Graph(100, "base");
        var r0 = await db.SaveRevisionAsync("r0", "t", [], [], [], g0, Ct);
        var saved = new List<(RevisionInfo Revision, RevisionGraph Graph)>();
        for (var i = 1; i <= VigilDatabase.KeptGraphs + 2; i++)
        {
            clock.Now = T0.AddMinutes(i);
            var graph = Variant(g0, i % 5, 3, $"v{i}");
            saved.Add((await db.SaveRevisionAsync($"r{i}", "t", [], [], [], graph, Ct), graph));
        }

        // r0 is older than the KeptGraphs newest, but each of them is a difference from it.
        Assert.Equal([$"{VigilDatabase.KeptGraphs + 1}"], await RawQueryAsync(cs, "SELECT COUNT(*) FROM revision_graphs"));
        Assert.Null(await db.LoadGraphAsync(saved[0].Revision.Id, Ct));
        Assert.Null(await db.LoadGraphAsync(saved[1].Revision.Id, Ct));
        foreach (var (revision, graph) in saved.Skip(2))
        {
            Assert.Equal($"{r0.Id}", await GraphBaseAsync(cs, revision));
            Assert.Equal(TestData.Canonical(graph), TestData.Canonical(await db.LoadGraphAsync(revision.Id, Ct)));
        }

        // Once none needs it (each stored whole by an unrelated rescan), the next save drops it.
        for (var i = 0; i < saved.Count; i++)
        {
            clock.Now = T0.AddHours(1).AddMinutes(i);
            await db.SaveRevisionAsync($"r{i + 1}", "t", [], [], [], TestData.Graph(10, $"w{i}").Graph, Ct);
        }
        Assert.Null(await db.LoadGraphAsync(r0.Id, Ct));
        Assert.Equal([$"{VigilDatabase.KeptGraphs}"], await RawQueryAsync(cs, "SELECT COUNT(*) FROM revision_graphs"));
    }

    [Fact]
    public async Task A_base_decoded_earlier_is_not_used_once_another_process_has_replaced_it()
    {
        var cs = await NewDatabaseAsync();
        var clock = new ManualClock(T0);
        await using var db = await VigilDatabase.OpenAsync(cs, clock, Ct);
        await using var other = await VigilDatabase.OpenAsync(cs, clock, Ct);
        var (g1, _) = TestData.Graph(100, "one");
        await db.SaveRevisionAsync("r1", "t", [], [], [], g1, Ct);
        Assert.Equal(TestData.Canonical(g1), TestData.Canonical(await db.LoadLatestGraphAsync(Ct)));

        // Another process rescans r1 at the same instant (same id, same scan time) with another graph of as many nodes.
        var replaced = Variant(g1, 60, 60, "replaced");
        await other.SaveRevisionAsync("r1", "t", [], [], [], replaced, Ct);
        clock.Now = T0.AddHours(1);
        var g2 = Variant(replaced, 3, 3, "two");
        var r2 = await db.SaveRevisionAsync("r2", "t", [], [], [], g2, Ct);

        // A difference from the graph r1 holds now, not from the one decoded before (from which it differs too much).
        Assert.Equal($"{(await db.FindRevisionAsync("r1", Ct))!.Id}", await GraphBaseAsync(cs, r2));
        await using var fresh = await VigilDatabase.OpenAsync(cs, clock, Ct);
        Assert.Equal(TestData.Canonical(g2), TestData.Canonical(await fresh.LoadGraphAsync(r2.Id, Ct)));
        Assert.Equal(TestData.Canonical(g2), TestData.Canonical(await db.LoadGraphAsync(r2.Id, Ct)));
    }
}
