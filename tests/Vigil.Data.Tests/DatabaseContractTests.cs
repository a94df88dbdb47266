using Vigil.Data.Tests.Support;
using Vigil.Nix.Fetchers;
using Vigil.Testing;

namespace Vigil.Data.Tests;

/// <summary>
/// The behaviour every <see cref="VigilDatabase"/> must have, run once per dialect by the
/// subclasses, each test on a fresh database.
/// </summary>
public abstract partial class DatabaseContractTests
{
    protected static readonly DateTimeOffset T0 = new(2026, 11, 25, 20, 6, 18, 597, TimeSpan.Zero);

    protected abstract string Dialect { get; }

    /// <summary>Connection string of a new, empty database.</summary>
    protected abstract Task<string> NewDatabaseAsync();

    /// <summary>Rows of <paramref name="sql"/> through the provider directly, columns joined by '|'.</summary>
    protected abstract Task<List<string>> RawQueryAsync(string connection, string sql);

    protected abstract Task RawExecuteAsync(string connection, string sql);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Fresh_database_is_migrated_and_reopening_changes_nothing()
    {
        var cs = await NewDatabaseAsync();
        var (graph, fods) = TestData.Graph(10);
        long revision;
        await using (var db = await VigilDatabase.OpenAsync(cs, Ct))
        {
            await db.WriteFodsAsync(fods, Ct);
            revision = (await db.SaveRevisionAsync("r", "t", [], [], [], graph, Ct)).Id;
        }
        var versions = await RawQueryAsync(cs, "SELECT version, description FROM schema_version ORDER BY version");
        Assert.Equal(SchemaMigrations.For(DatabaseKind.Sqlite).Select(m => m.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)), versions.Select(v => v.Split('|')[0]));
        Assert.Equal("1|initial", versions[0]);

        await using (var db = await VigilDatabase.OpenAsync(cs, Ct))
        {
            Assert.Equal(versions, await RawQueryAsync(cs, "SELECT version, description FROM schema_version ORDER BY version"));
            Assert.Equal(fods.Count, (await db.FindFodsAsync(TestData.Paths(graph), Ct)).Count);
            Assert.Equal(TestData.Render(graph), TestData.Render(await db.LoadGraphAsync(revision, Ct)));
        }
    }

    [Fact]
    public async Task Concurrent_opens_of_a_fresh_database_migrate_it_once()
    {
        var cs = await NewDatabaseAsync();
        var opened = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => VigilDatabase.OpenAsync(cs, Ct))));
        foreach (var db in opened)
        {
            await db.DisposeAsync();
        }
        Assert.Equal(SchemaMigrations.For(DatabaseKind.Sqlite).Count, (await RawQueryAsync(cs, "SELECT version FROM schema_version")).Count);
    }

    [Fact]
    public async Task A_schema_newer_than_the_code_is_refused_and_left_alone()
    {
        var cs = await NewDatabaseAsync();
        await (await VigilDatabase.OpenAsync(cs, Ct)).DisposeAsync();
        await RawExecuteAsync(cs, "INSERT INTO schema_version (version, description, applied_at) VALUES (999, 'from the future', 'x')");

        var ex = await Assert.ThrowsAsync<VigilDatabaseException>(() => VigilDatabase.OpenAsync(cs, Ct));

        Assert.Contains("schema version 999 is newer than this Vigil knows", ex.Message, StringComparison.Ordinal);
        Assert.Contains(Dialect, ex.Message, StringComparison.Ordinal);
        Assert.Equal(SchemaMigrations.For(DatabaseKind.Sqlite).Count + 1, (await RawQueryAsync(cs, "SELECT version FROM schema_version")).Count);
    }

    [Fact]
    public async Task Fods_read_back_as_written_and_rewriting_changes_nothing()
    {
        var cs = await NewDatabaseAsync();
        await using var db = await VigilDatabase.OpenAsync(cs, Ct);
        var (_, fods) = TestData.Graph(200);

        await db.WriteFodsAsync(fods, Ct);
        await db.WriteFodsAsync(fods, Ct);
        // Immutable rows: a different record under a stored key does not replace it, and the new ones beside it go in.
        var changed = fods[0] with { HashSri = "sha256-changed", Urls = ["https://evil.example/"] };
        var extra = TestData.Fod("extra", 1);
        await db.WriteFodsAsync([changed, extra, fods[1]], Ct);
        await db.WriteFodsAsync([], Ct);

        var foundFods = await db.FindFodsAsync([.. fods.Select(f => f.DrvPath), extra.DrvPath], Ct);
        Assert.Equal(fods.Append(extra).Select(TestData.Render).Order(StringComparer.Ordinal), foundFods.Values.Select(TestData.Render).Order(StringComparer.Ordinal));
        Assert.All(foundFods, kv => Assert.Equal(kv.Key, kv.Value.DrvPath));
        Assert.Equal(Enum.GetValues<FetcherKind>().Order(), foundFods.Values.Select(f => f.Fetcher).Distinct().Order());
        Assert.Equal($"{fods.Count + 1}", (await RawQueryAsync(cs, "SELECT COUNT(*) FROM fods")).Single());
    }

    [Fact]
    public async Task Lookups_larger_than_a_chunk_find_exactly_the_stored_keys()
    {
        var cs = await NewDatabaseAsync();
        await using var db = await VigilDatabase.OpenAsync(cs, Ct);
        var (graph, fods) = TestData.Graph(4 * 1234 + 1);
        await db.WriteFodsAsync(fods, Ct);
        // Missing keys, duplicates and a short last chunk.
        var paths = TestData.Paths(graph);
        var keys = paths
            .Concat(Enumerable.Range(0, 301).Select(i => TestData.DrvPath("missing", i)))
            .Concat(paths.Take(7))
            .ToList();

        var foundFods = await db.FindFodsAsync(keys, Ct);

        Assert.Equal(fods.Select(f => f.DrvPath).Order(StringComparer.Ordinal), foundFods.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(await db.FindFodsAsync([], Ct));
        Assert.Empty(await db.FindFodsAsync([TestData.DrvPath("missing", 0)], Ct));
    }

    [Fact]
    public async Task Revisions_are_saved_listed_and_replaced_whole()
    {
        var cs = await NewDatabaseAsync();
        var clock = new ManualClock(T0.AddTicks(7)); // sub-microsecond ticks are not stored
        await using var db = await VigilDatabase.OpenAsync(cs, clock, Ct);
        var (graph, fods) = TestData.Graph(40);
        await db.WriteFodsAsync(fods, Ct);
        var roots = new List<RevisionRoot> { new("hello", graph.Path(4)), new("zlib", graph.Path(6)), new("a.b.c", graph.Path(8)) };
        var members = fods.Take(10).Select((f, i) => new RevisionFod(f.DrvPath, ["hello", $"attr{i}"], i + 2)).ToList();
        var errors = new List<EvalErrorRecord> { new("broken", "error: undefined variable 'x'\n       at line 2"), new("alsoBroken", "assertion failed") };

        var saved = await db.SaveRevisionAsync("r1", "./pkgs.nix", roots, members, errors, null, Ct);

        Assert.Equal(new RevisionInfo(saved.Id, "r1", "./pkgs.nix", T0, 3, 10, 2), saved);
        Assert.Equal(saved, await db.FindRevisionAsync("r1", Ct));
        Assert.Null(await db.FindRevisionAsync("r0", Ct));
        Assert.Equal(["a.b.c", "hello", "zlib"], (await db.ListRootsAsync(saved.Id, Ct)).Select(r => r.Attr));
        Assert.Equal(roots.OrderBy(r => r.Attr, StringComparer.Ordinal), await db.ListRootsAsync(saved.Id, Ct));
        Assert.Equal(errors.OrderBy(e => e.Attr, StringComparer.Ordinal), await db.ListEvalErrorsAsync(saved.Id, Ct));
        var listed = await db.ListFodsAsync(saved.Id, Ct);
        Assert.Equal(members.OrderBy(m => m.DrvPath, StringComparer.Ordinal).Select(m => m.DrvPath), listed.Select(f => f.Fod.DrvPath));
        Assert.All(listed, f =>
        {
            var m = members.Single(x => x.DrvPath == f.Fod.DrvPath);
            Assert.Equal(m.Attrs, f.Attrs);
            Assert.Equal(m.AttrCount, f.AttrCount);
            Assert.Equal(TestData.Render(fods.Single(x => x.DrvPath == m.DrvPath)), TestData.Render(f.Fod));
        });
        Assert.Equal(
            listed.Select(f => (f.Fod.DrvPath, f.Fod.Name, string.Join('|', f.Fod.Urls), string.Join('|', f.Attrs))),
            (await db.ListSourceFodsAsync(saved.Id, Ct)).Select(f => (f.DrvPath, f.Name, string.Join('|', f.Urls), string.Join('|', f.Attrs))));

        clock.Now = T0.AddHours(1);
        var other = await db.SaveRevisionAsync("r2", "./other.nix", [], [], [], null, Ct);
        clock.Now = T0.AddHours(2);
        var replaced = await db.SaveRevisionAsync("r1", "./pkgs2.nix", roots.Take(1).ToList(), [new RevisionFod(fods[15].DrvPath, [], 0)], [], null, Ct);

        Assert.Equal(saved.Id, replaced.Id);
        Assert.Equal(new RevisionInfo(saved.Id, "r1", "./pkgs2.nix", T0.AddHours(2), 1, 1, 0), replaced);
        Assert.Equal([other, replaced], await db.ListRevisionsAsync(Ct));
        Assert.Equal(roots.Take(1), await db.ListRootsAsync(saved.Id, Ct));
        Assert.Empty(await db.ListEvalErrorsAsync(saved.Id, Ct));
        var after = Assert.Single(await db.ListFodsAsync(saved.Id, Ct));
        Assert.Equal((fods[15].DrvPath, 0, 0), (after.Fod.DrvPath, after.Attrs.Count, after.AttrCount));
        Assert.Empty(await db.ListFodsAsync(other.Id, Ct));
        Assert.Empty(await db.ListFodsAsync(12345, Ct));
        Assert.Empty(await db.ListSourceFodsAsync(other.Id, Ct));
        Assert.Equal([fods[15].DrvPath], (await db.ListSourceFodsAsync(saved.Id, Ct)).Select(f => f.DrvPath));
        Assert.Equal(["1"], await RawQueryAsync(cs, "SELECT COUNT(*) FROM revision_fods"));

        // Deleting a revision takes its roots and FOD membership, not the FOD records.
        Assert.True(await db.DeleteRevisionAsync(saved.Id, Ct));
        Assert.False(await db.DeleteRevisionAsync(saved.Id, Ct));
        Assert.Equal([other], await db.ListRevisionsAsync(Ct));
        Assert.Equal(["0", "0"], [.. await RawQueryAsync(cs, "SELECT COUNT(*) FROM revision_fods"), .. await RawQueryAsync(cs, "SELECT COUNT(*) FROM revision_roots")]);
        Assert.NotEmpty(await db.FindFodsAsync([fods[15].DrvPath], Ct));
    }

    [Fact]
    public async Task Fods_are_found_by_hash_with_the_earliest_revision_that_lists_them()
    {
        var cs = await NewDatabaseAsync();
        var clock = new ManualClock(T0);
        await using var db = await VigilDatabase.OpenAsync(cs, clock, Ct);
        var (_, fods) = TestData.Graph(30);
        // Two more records with fods[0]'s hash: one listed by no revision, one by the second revision.
        var twin = fods[0] with { DrvPath = TestData.DrvPath("twin", 1), Recipe = "{\"urls\":[\"https://evil.example/x\"]}", RecipeHash = new string('e', 64) };
        var orphan = fods[0] with { DrvPath = TestData.DrvPath("orphan", 2) };
        await db.WriteFodsAsync([.. fods, twin, orphan], Ct);
        await db.SaveRevisionAsync("old", "./a.nix", [], [new RevisionFod(fods[0].DrvPath, ["a"], 1), new RevisionFod(fods[1].DrvPath, ["b"], 1)], [], null, Ct);
        clock.Now = T0.AddHours(1);
        await db.SaveRevisionAsync("new", "./b.nix", [], [new RevisionFod(fods[0].DrvPath, ["a"], 1), new RevisionFod(twin.DrvPath, ["c"], 1)], [], null, Ct);

        var found = await db.FindFodsByHashAsync([fods[0].HashSri, fods[1].HashSri, "sha256-none"], Ct);

        var expected = new[] { (fods[0], (string?)"old"), (twin, "new"), (orphan, null), (fods[1], "old") }
            .Where(x => x.Item1.HashSri == fods[0].HashSri || x.Item1.HashSri == fods[1].HashSri)
            .OrderBy(x => x.Item1.DrvPath, StringComparer.Ordinal)
            .Select(x => $"{TestData.Render(x.Item1)}@{x.Item2}");
        Assert.Equal(expected, found.Select(h => $"{TestData.Render(h.Fod)}@{h.FirstRevision}"));
        Assert.Empty(await db.FindFodsByHashAsync([], Ct));
    }

    [Fact]
    public async Task The_database_lists_what_one_revision_has_and_another_has_not()
    {
        var cs = await NewDatabaseAsync();
        await using var db = await VigilDatabase.OpenAsync(cs, Ct);
        var (_, fods) = TestData.Graph(40);
        // Same output path and recipe under another drv path (a rebuilt fetcher tool): unchanged, not new.
        var rebuilt = fods[2] with { DrvPath = TestData.DrvPath("rebuilt", 2) };
        // Same output path, another recipe: new.
        var swapped = fods[3] with { DrvPath = TestData.DrvPath("swapped", 3), RecipeHash = new string('a', 64) };
        await db.WriteFodsAsync([.. fods, rebuilt, swapped], Ct);
        RevisionFod Member(Nix.Fetchers.FodRecord f) => new(f.DrvPath, ["x"], 1);
        var a = await db.SaveRevisionAsync("a", "./a.nix", [], [.. fods.Take(6).Select(Member)], [], null, Ct);
        var b = await db.SaveRevisionAsync("b", "./b.nix", [], [Member(fods[0]), Member(fods[1]), Member(rebuilt), Member(swapped), Member(fods[7])], [], null, Ct);

        var onlyA = await db.ListFodsNotInAsync(a.Id, b.Id, Ct);
        var onlyB = await db.ListFodsNotInAsync(b.Id, a.Id, Ct);
        var byPath = await db.FindFodsByOutputPathAsync(b.Id, [fods[3].OutputPath, fods[0].OutputPath, "/nix/store/none"], Ct);

        static IEnumerable<string> Sorted(IEnumerable<Nix.Fetchers.FodRecord> f) => f.Select(x => x.DrvPath).Order(StringComparer.Ordinal);
        Assert.Equal(Sorted([fods[3], fods[4], fods[5]]), onlyA.Select(f => f.Fod.DrvPath));
        Assert.Equal(Sorted([swapped, fods[7]]), onlyB.Select(f => f.Fod.DrvPath));
        Assert.Equal(Sorted([fods[0], swapped]), byPath.Select(f => f.Fod.DrvPath));
        Assert.All(onlyB, f => Assert.Equal(["x"], f.Attrs));
        Assert.Empty(await db.FindFodsByOutputPathAsync(b.Id, [], Ct));
    }

    [Fact]
    public async Task A_revision_naming_unstored_fods_is_refused_and_the_previous_one_kept()
    {
        var cs = await NewDatabaseAsync();
        await using var db = await VigilDatabase.OpenAsync(cs, Ct);
        var (graph, fods) = TestData.Graph(10);
        await db.WriteFodsAsync(fods, Ct);
        var first = await db.SaveRevisionAsync("r", "t", [new RevisionRoot("a", graph.Path(0))], [new RevisionFod(fods[0].DrvPath, ["a"], 1)], [], graph, Ct);

        var ex = await Assert.ThrowsAsync<VigilDatabaseException>(() => db.SaveRevisionAsync("r", "t2", [],
            [new RevisionFod(fods[1].DrvPath, [], 0), new RevisionFod(TestData.DrvPath("unstored", 1), [], 0)], [], null, Ct));

        Assert.Contains("names FODs whose records are not stored", ex.Message, StringComparison.Ordinal);
        Assert.Equal(first, await db.FindRevisionAsync("r", Ct));
        Assert.Equal([fods[0].DrvPath], (await db.ListFodsAsync(first.Id, Ct)).Select(f => f.Fod.DrvPath));
        Assert.Single(await db.ListRootsAsync(first.Id, Ct));
        Assert.Equal(TestData.Render(graph), TestData.Render(await db.LoadGraphAsync(first.Id, Ct)));
        await Assert.ThrowsAsync<ArgumentException>(() => db.SaveRevisionAsync("r", "t", [new RevisionRoot("a", "x"), new RevisionRoot("a", "y")], [], [], null, Ct));
    }

    [Fact]
    public async Task A_write_cancelled_midway_leaves_nothing_behind()
    {
        var cs = await NewDatabaseAsync();
        await using var db = await VigilDatabase.OpenAsync(cs, Ct);
        var (graph, fods) = TestData.Graph(8000);
        using (var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            // Writers read the rows once for their key order, then again as they stream them: this
            // cancels halfway through streaming the FOD rows.
            var interrupted = new CancellingList<FodRecord>(fods, fods.Count + (fods.Count / 2), cancel);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => db.WriteFodsAsync(interrupted, cancel.Token));
        }
        var keys = TestData.Paths(graph);
        Assert.Empty(await db.FindFodsAsync(keys, Ct));

        await db.WriteFodsAsync(fods, Ct);
        var members = fods.Select(f => new RevisionFod(f.DrvPath, ["x"], 1)).ToList();
        var (small, _) = TestData.Graph(5, "small");
        var saved = await db.SaveRevisionAsync("r", "t", [], members.Take(5).ToList(), [], small, Ct);
        using (var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            // Read to reject duplicates, for key order, then streamed: cancels halfway through the
            // stream, after the old members were deleted in the same transaction (and before the graph is replaced).
            var interrupted = new CancellingList<RevisionFod>(members, (2 * members.Count) + (members.Count / 2), cancel);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => db.SaveRevisionAsync("r", "t2", [], interrupted, [], graph, cancel.Token));
        }
        Assert.Equal(saved, await db.FindRevisionAsync("r", Ct));
        Assert.Equal(5, (await db.ListFodsAsync(saved.Id, Ct)).Count);
        Assert.Equal(TestData.Render(small), TestData.Render(await db.LoadGraphAsync(saved.Id, Ct)));
        Assert.Equal(fods.Count, (await db.FindFodsAsync(keys, Ct)).Count);
    }

    [Fact]
    public async Task Verification_results_keep_their_history_and_only_ok_ones_become_trusted_pairs()
    {
        var cs = await NewDatabaseAsync();
        await using var db = await VigilDatabase.OpenAsync(cs, Ct);
        var t1 = T0.AddMinutes(1);
        VerificationRecord Result(string drv, string recipe, string status, DateTimeOffset at, string? actual = null, string? url = "http://127.0.0.1/a") =>
            new(drv, "/nix/store/out-" + drv, recipe, "flat", status, "sha256-E", actual, "native", url, status == "ok" ? null : "why", at);

        await db.SaveVerificationsAsync(
        [
            Result("/nix/store/a.drv", "r1", "ok", T0),
            Result("/nix/store/b.drv", "r2", "hash-mismatch", T0, actual: "sha256-G"),
            Result("/nix/store/c.drv", "r3", "unreachable", T0, url: null),
        ], Ct);
        await db.SaveVerificationsAsync([Result("/nix/store/a2.drv", "r1", "ok", t1, url: "http://127.0.0.1/mirror")], Ct);

        var trusted = Assert.Single(await db.FindTrustedPairsAsync(["r1", "r2", "r3", "nothing"], Ct));
        Assert.Equal(new TrustedPair("r1", "sha256-E", "flat", "/nix/store/a2.drv", "native", "http://127.0.0.1/mirror", T0, t1), trusted);
        Assert.Empty(await db.FindTrustedPairsAsync([], Ct));

        var history = await db.ListVerificationsAsync("/nix/store/b.drv", Ct);
        Assert.Equal([Result("/nix/store/b.drv", "r2", "hash-mismatch", T0, actual: "sha256-G")], history);
        Assert.Null((await db.ListVerificationsAsync("/nix/store/c.drv", Ct))[0].Url);

        // A later failure of a trusted pair is history; the trust row says when it was last confirmed.
        await db.SaveVerificationsAsync([Result("/nix/store/a.drv", "r1", "unreachable", t1.AddMinutes(1))], Ct);
        Assert.Equal(2, (await db.ListVerificationsAsync("/nix/store/a.drv", Ct)).Count);
        Assert.Equal(t1, Assert.Single(await db.FindTrustedPairsAsync(["r1"], Ct)).LastVerifiedAt);
    }

    [Fact]
    public async Task Liveness_follows_the_latest_verification_of_each_identity()
    {
        var cs = await NewDatabaseAsync();
        await using var db = await VigilDatabase.OpenAsync(cs, Ct);
        VerificationRecord Result(string drv, string recipe, string status, int minute, string? actual = null) =>
            new(drv, "/nix/store/out-" + recipe, recipe, "flat", status, "sha256-E", actual, "native", "http://127.0.0.1/" + recipe, status == "ok" ? null : "why " + minute, T0.AddMinutes(minute));

        await db.SaveVerificationsAsync(
        [
            Result("/nix/store/a.drv", "r1", "ok", 0),
            Result("/nix/store/b.drv", "r2", "ok", 0),
            Result("/nix/store/c.drv", "r3", "unreachable", 0),
            Result("/nix/store/d.drv", "r4", "skipped", 0),
        ], Ct);
        await db.SaveVerificationsAsync([Result("/nix/store/b2.drv", "r2", "hash-mismatch", 5, actual: "sha256-G"), Result("/nix/store/c.drv", "r3", "unreachable", 6)], Ct);
        await db.SaveVerificationsAsync([Result("/nix/store/b.drv", "r2", "unreachable", 7), Result("/nix/store/c.drv", "r3", "ok", 8)], Ct);
        // Written late, older than what is known: history, but liveness stays as it is.
        await db.SaveVerificationsAsync([Result("/nix/store/a.drv", "r1", "unreachable", -3)], Ct);

        var live = (await db.FindLivenessAsync(["r1", "r2", "r3", "r4"], Ct)).ToDictionary(l => l.RecipeHash);
        Assert.Equal(["r1", "r2", "r3"], live.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new FodLiveness("r1", "sha256-E", "flat", "/nix/store/a.drv", "ok", T0, T0, null, null, "http://127.0.0.1/r1", null), live["r1"]);
        Assert.Equal(new FodLiveness("r2", "sha256-E", "flat", "/nix/store/b.drv", "unreachable", T0.AddMinutes(7), T0, T0.AddMinutes(5), null, "http://127.0.0.1/r2", "why 7"), live["r2"]);
        Assert.Equal(new FodLiveness("r3", "sha256-E", "flat", "/nix/store/c.drv", "ok", T0.AddMinutes(8), T0.AddMinutes(8), null, null, "http://127.0.0.1/r3", null), live["r3"]);
        Assert.Equal(["r2"], (await db.ListBrokenAsync(Ct)).Select(l => l.RecipeHash));

        // A database verified before schema v4 gets the same liveness from its history.
        await RawExecuteAsync(cs, "DROP TABLE fod_liveness");
        await RawExecuteAsync(cs, "DELETE FROM schema_version WHERE version = 4");
        await using var reopened = await VigilDatabase.OpenAsync(cs, Ct);
        Assert.Equal(live.Values.OrderBy(l => l.RecipeHash, StringComparer.Ordinal), (await reopened.FindLivenessAsync(["r1", "r2", "r3", "r4"], Ct)).OrderBy(l => l.RecipeHash, StringComparer.Ordinal));
    }
}
