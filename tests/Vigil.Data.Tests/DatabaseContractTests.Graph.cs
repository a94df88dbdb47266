using Vigil.Data.Tests.Support;
using Vigil.Testing;

namespace Vigil.Data.Tests;

/// <summary>The derivation graph stored with a revision (<c>revision_graphs</c>, schema v9).</summary>
public abstract partial class DatabaseContractTests
{
    [Fact]
    public async Task A_revision_keeps_the_graph_it_was_saved_with_until_it_is_replaced_or_deleted()
    {
        var cs = await NewDatabaseAsync();
        var clock = new ManualClock(T0);
        await using var db = await VigilDatabase.OpenAsync(cs, clock, Ct);
        var (g1, fods) = TestData.Graph(300, "one");
        var (g2, _) = TestData.Graph(7, "two");
        var (g3, _) = TestData.Graph(1, "three");
        await db.WriteFodsAsync(fods, Ct);
        Assert.Null(await db.LoadLatestGraphAsync(Ct));

        var r1 = await db.SaveRevisionAsync("r1", "t", [new RevisionRoot("a", g1.Path(299))], [new RevisionFod(fods[0].DrvPath, ["a"], 1)], [], g1, Ct);
        clock.Now = T0.AddHours(1);
        // A read-only scan stores none: it is not the latest graph, though its revision is the latest.
        var r2 = await db.SaveRevisionAsync("r2", "t", [], [], [], null, Ct);

        Assert.Equal(TestData.Render(g1), TestData.Render(await db.LoadGraphAsync(r1.Id, Ct)));
        Assert.Null(await db.LoadGraphAsync(r2.Id, Ct));
        Assert.Null(await db.LoadGraphAsync(r1.Id + r2.Id + 100, Ct));
        Assert.Equal(TestData.Render(g1), TestData.Render(await db.LoadLatestGraphAsync(Ct)));
        Assert.Equal([$"{r1.Id}|300"], await RawQueryAsync(cs, "SELECT revision_id, node_count FROM revision_graphs"));

        clock.Now = T0.AddHours(2);
        var r3 = await db.SaveRevisionAsync("r3", "t", [], [], [], g3, Ct);
        Assert.Equal(TestData.Render(g3), TestData.Render(await db.LoadLatestGraphAsync(Ct)));

        // Rescanning r1 replaces its graph, and makes it the latest scanned.
        clock.Now = T0.AddHours(3);
        Assert.Equal(r1.Id, (await db.SaveRevisionAsync("r1", "t", [], [], [], g2, Ct)).Id);
        Assert.Equal(TestData.Render(g2), TestData.Render(await db.LoadGraphAsync(r1.Id, Ct)));
        Assert.Equal(TestData.Render(g2), TestData.Render(await db.LoadLatestGraphAsync(Ct)));
        Assert.Equal(TestData.Render(g3), TestData.Render(await db.LoadGraphAsync(r3.Id, Ct)));

        // Resaved without one, it has none: the latest is r3's again.
        clock.Now = T0.AddHours(4);
        await db.SaveRevisionAsync("r1", "t", [], [], [], null, Ct);
        Assert.Null(await db.LoadGraphAsync(r1.Id, Ct));
        Assert.Equal(TestData.Render(g3), TestData.Render(await db.LoadLatestGraphAsync(Ct)));

        // Deleting a revision deletes its graph.
        Assert.True(await db.DeleteRevisionAsync(r3.Id, Ct));
        Assert.Null(await db.LoadGraphAsync(r3.Id, Ct));
        Assert.Null(await db.LoadLatestGraphAsync(Ct));
        Assert.Equal(["0"], await RawQueryAsync(cs, "SELECT COUNT(*) FROM revision_graphs"));
        Assert.Equal(fods.Count, (await db.FindFodsAsync([.. fods.Select(f => f.DrvPath)], Ct)).Count);
    }

    [Fact]
    public async Task Only_the_graphs_of_the_most_recently_scanned_revisions_are_kept()
    {
        var cs = await NewDatabaseAsync();
        var clock = new ManualClock(T0);
        await using var db = await VigilDatabase.OpenAsync(cs, clock, Ct);
        var saved = new List<(RevisionInfo Revision, RevisionGraph Graph)>();
        for (var i = 0; i < VigilDatabase.KeptGraphs + 2; i++)
        {
            clock.Now = T0.AddMinutes(i);
            var (graph, _) = TestData.Graph(3, $"g{i}");
            saved.Add((await db.SaveRevisionAsync($"r{i}", "t", [], [], [], graph, Ct), graph));
            // Revisions without a graph (read-only scans) do not push graphs out.
            clock.Now = T0.AddMinutes(i).AddSeconds(30);
            await db.SaveRevisionAsync($"readonly{i}", "t", [], [], [], null, Ct);
        }
        Assert.Null(await db.LoadGraphAsync(saved[0].Revision.Id, Ct));
        Assert.Null(await db.LoadGraphAsync(saved[1].Revision.Id, Ct));
        foreach (var (revision, graph) in saved.Skip(2))
        {
            Assert.Equal(TestData.Render(graph), TestData.Render(await db.LoadGraphAsync(revision.Id, Ct)));
        }
        Assert.Equal(TestData.Render(saved[^1].Graph), TestData.Render(await db.LoadLatestGraphAsync(Ct)));
        Assert.Equal([$"{VigilDatabase.KeptGraphs}"], await RawQueryAsync(cs, "SELECT COUNT(*) FROM revision_graphs"));
        // The revisions themselves stay.
        Assert.Equal(2 * saved.Count, (await db.ListRevisionsAsync(Ct)).Count);
    }

    [Fact]
    public async Task Of_two_graphs_scanned_at_the_same_instant_the_later_saved_is_the_latest()
    {
        var cs = await NewDatabaseAsync();
        await using var db = await VigilDatabase.OpenAsync(cs, new ManualClock(T0), Ct);
        var (a, _) = TestData.Graph(3, "a");
        var (b, _) = TestData.Graph(4, "b");

        await db.SaveRevisionAsync("a", "t", [], [], [], a, Ct);
        await db.SaveRevisionAsync("b", "t", [], [], [], b, Ct);

        Assert.Equal(TestData.Render(b), TestData.Render(await db.LoadLatestGraphAsync(Ct)));
    }

    [Fact]
    public async Task Awkward_and_empty_graphs_read_back_as_saved()
    {
        var cs = await NewDatabaseAsync();
        await using var db = await VigilDatabase.OpenAsync(cs, Ct);
        // Paths are text to the graph: empty, control characters, backslashes, non-ASCII and
        // astral characters, a duplicate; inputs repeated, to itself, and none.
        var awkward = TestData.BuildGraph(
        [
            ("/nix/store/00000000000000000000000000000000-awkward.drv", false, [1, 2, 3, 4, 1]),
            ("", true, []),
            ("/nix/store/x-a\\b\nnew\tline\0.drv", true, []),
            ("/nix/store/z-ünïcode-😀-\uE000-\u00A0.drv", false, [3, 1]),
            ("/nix/store/00000000000000000000000000000000-awkward.drv", false, [0]),
        ]);
        var empty = TestData.BuildGraph([]);

        var a = await db.SaveRevisionAsync("awkward", "t", [], [], [], awkward, Ct);
        var e = await db.SaveRevisionAsync("empty", "t", [], [], [], empty, Ct);

        Assert.Equal(TestData.Render(awkward), TestData.Render(await db.LoadGraphAsync(a.Id, Ct)));
        var loaded = await db.LoadGraphAsync(e.Id, Ct);
        Assert.NotNull(loaded);
        Assert.Equal(0, loaded.Count);
        Assert.Equal(["0"], await RawQueryAsync(cs, $"SELECT node_count FROM revision_graphs WHERE revision_id = {e.Id}"));
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("unknown format")]
    [InlineData("empty")]
    public async Task A_corrupt_stored_graph_is_a_database_error_and_a_rescan_replaces_it(string corruption)
    {
        var cs = await NewDatabaseAsync();
        await using var db = await VigilDatabase.OpenAsync(cs, Ct);
        var (graph, _) = TestData.Graph(50);
        var saved = await db.SaveRevisionAsync("r", "t", [], [], [], graph, Ct);
        var bytes = corruption switch
        {
            "truncated" => graph.Encode()[..^3],
            "unknown format" => [2, .. graph.Encode()[1..]],
            _ => [],
        };
        // Hex literals spelled the way each dialect reads them.
        var literal = Dialect == "SQLite" ? $"X'{Convert.ToHexString(bytes)}'" : $"'\\x{Convert.ToHexString(bytes)}'::bytea";
        await RawExecuteAsync(cs, $"UPDATE revision_graphs SET graph = {literal} WHERE revision_id = {saved.Id}");

        var byId = await Assert.ThrowsAsync<VigilDatabaseException>(() => db.LoadGraphAsync(saved.Id, Ct));
        var latest = await Assert.ThrowsAsync<VigilDatabaseException>(() => db.LoadLatestGraphAsync(Ct));

        Assert.Contains("the stored derivation graph is corrupt", byId.Message, StringComparison.Ordinal);
        Assert.Contains(db.Description, byId.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidDataException>(byId.InnerException);
        Assert.Equal(byId.Message, latest.Message);
        await db.SaveRevisionAsync("r", "t", [], [], [], graph, Ct);
        Assert.Equal(TestData.Render(graph), TestData.Render(await db.LoadGraphAsync(saved.Id, Ct)));
    }

    [Fact]
    public async Task A_v8_database_with_drv_rows_migrates_to_the_latest_keeping_revisions_and_fods()
    {
        var cs = await NewDatabaseAsync();
        var (graph, fods) = TestData.Graph(20);
        RevisionInfo saved;
        await using (var db = await VigilDatabase.OpenAsync(cs, Ct))
        {
            await db.WriteFodsAsync(fods, Ct);
            saved = await db.SaveRevisionAsync("r", "t", [new RevisionRoot("a", graph.Path(19))], [.. fods.Select(f => new RevisionFod(f.DrvPath, ["a"], 1))], [], graph, Ct);
        }
        // Back to v8 as 0002 left it: drvs (with rows) instead of revision_graphs.
        var sqlite = Dialect == "SQLite";
        await RawExecuteAsync(cs, "DROP TABLE revision_graphs");
        await RawExecuteAsync(cs, sqlite
            ? "CREATE TABLE drvs (id INTEGER NOT NULL PRIMARY KEY, path TEXT NOT NULL UNIQUE, is_fod INTEGER NOT NULL, inputs BLOB NOT NULL)"
            : "CREATE TABLE drvs (id bigint NOT NULL PRIMARY KEY, path text COLLATE \"C\" NOT NULL UNIQUE, is_fod boolean NOT NULL, inputs bytea NOT NULL)");
        await RawExecuteAsync(cs, sqlite
            ? $"INSERT INTO drvs VALUES (1, '{graph.Path(0)}', 0, X''), (2, '{graph.Path(1)}', 1, X'01')"
            : $"INSERT INTO drvs VALUES (1, '{graph.Path(0)}', false, '\\x'::bytea), (2, '{graph.Path(1)}', true, '\\x01'::bytea)");
        // ...and v8's index of revision_fods by drv_path, which v10 drops.
        await RawExecuteAsync(cs, "CREATE INDEX revision_fods_drv_path ON revision_fods (drv_path)");
        // v11 (a column and a view, which nothing of v9 and v10 touches) stays: its column cannot be
        // dropped in SQLite. v12 (columns of the revision_graphs that v9 creates) runs again.
        await RawExecuteAsync(cs, "DELETE FROM schema_version WHERE version IN (9, 10, 12)");
        var tableCount = sqlite
            ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{0}'"
            : "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '{0}'";
        var indexCount = sqlite
            ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'revision_fods_drv_path'"
            : "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'revision_fods_drv_path'";
        Assert.Equal(["1"], await RawQueryAsync(cs, indexCount));
        Assert.Equal(["1"], await RawQueryAsync(cs, string.Format(System.Globalization.CultureInfo.InvariantCulture, tableCount, "drvs")));

        await using (var db = await VigilDatabase.OpenAsync(cs, Ct))
        {
            Assert.Equal(["0"], await RawQueryAsync(cs, string.Format(System.Globalization.CultureInfo.InvariantCulture, tableCount, "drvs")));
            Assert.Equal(["1"], await RawQueryAsync(cs, string.Format(System.Globalization.CultureInfo.InvariantCulture, tableCount, "revision_graphs")));
            Assert.Equal(["0"], await RawQueryAsync(cs, indexCount));
            Assert.Equal([SchemaMigrations.Latest.ToString(System.Globalization.CultureInfo.InvariantCulture)], await RawQueryAsync(cs, "SELECT MAX(version) FROM schema_version"));
            Assert.Equal([saved], await db.ListRevisionsAsync(Ct));
            Assert.Equal(fods.Select(f => f.DrvPath).Order(StringComparer.Ordinal), (await db.ListFodsAsync(saved.Id, Ct)).Select(f => f.Fod.DrvPath));
            Assert.Single(await db.ListRootsAsync(saved.Id, Ct));
            // The graph was a cache of the .drv files: it is gone, and the next scan stores one again.
            Assert.Null(await db.LoadGraphAsync(saved.Id, Ct));
            Assert.Null(await db.LoadLatestGraphAsync(Ct));
            await db.SaveRevisionAsync("r", "t", [], [], [], graph, Ct);
            Assert.Equal(TestData.Render(graph), TestData.Render(await db.LoadLatestGraphAsync(Ct)));
        }
    }
}
