using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Vigil.Data.Tests.Support;
using Vigil.Nix.Fetchers;
using Vigil.Testing;

namespace Vigil.Data.Tests;

/// <summary>
/// A nixpkgs-sized scan in one call: 25k FOD records written, rewritten (a rescan) and looked up,
/// and a revision of them saved with its 50k-derivation graph, which is then read back; on each
/// dialect. Timings are printed.
/// </summary>
[Collection(nameof(SerialCollection))]
public sealed class BulkWriteTests(PostgresFixture postgres) : IDisposable
{
    // Generating the graph (store-path hashing) costs seconds; both dialects write the same one.
    private static readonly Lazy<(RevisionGraph Graph, List<FodRecord> Fods)> Graph = new(() => TestData.Graph(50_000));

    private readonly string dir = Directory.CreateTempSubdirectory("vigil-bulk-").FullName;

    [Theory]
    [InlineData("SQLite")]
    [InlineData("PostgreSQL")]
    public async Task Writing_25k_fods_and_a_50k_drv_graph_takes_under_10_seconds(string dialect)
    {
        var ct = TestContext.Current.CancellationToken;
        var cs = dialect == "SQLite" ? Path.Combine(dir, "bulk.db") : await postgres.CreateDatabaseAsync();
        await using var db = await VigilDatabase.OpenAsync(cs, ct);
        var (graph, fods) = Graph.Value;
        var keys = TestData.Paths(graph);
        var members = fods.Select((f, i) => new RevisionFod(f.DrvPath, [$"pkgs.p{i}"], 1)).ToList();

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var write = Stopwatch.StartNew();
        await db.WriteFodsAsync(fods, ct);
        var revision = await db.SaveRevisionAsync("bulk", "bulk", [], members, [], graph, ct);
        write.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var rewrite = Stopwatch.StartNew();
        await db.WriteFodsAsync(fods, ct);
        var resaved = await db.SaveRevisionAsync("bulk", "bulk", [], members, [], graph, ct);
        rewrite.Stop();
        var find = Stopwatch.StartNew();
        var foundFods = await db.FindFodsAsync(keys, ct);
        find.Stop();
        var load = Stopwatch.StartNew();
        var loaded = await db.LoadLatestGraphAsync(ct);
        load.Stop();
        var list = Stopwatch.StartNew();
        var listed = await db.ListFodsAsync(revision.Id, ct);
        list.Stop();

        var line = $"{dialect}: write {fods.Count} FODs + save a revision of them with a {graph.Count}-drv graph {write.ElapsedMilliseconds} ms (client CPU {cpu.TotalMilliseconds:F0} ms), " +
            $"again {rewrite.ElapsedMilliseconds} ms, find all FODs {find.ElapsedMilliseconds} ms, load the graph {load.ElapsedMilliseconds} ms, list the revision's FODs {list.ElapsedMilliseconds} ms";
        TestContext.Current.TestOutputHelper!.WriteLine(line);
        // stderr reaches the console of `dotnet test` even when the test passes.
        await Console.Error.WriteLineAsync("[bulk] " + line);
        Assert.Equal(revision.Id, resaved.Id);
        Assert.Equal(fods.Count, foundFods.Count);
        Assert.Equal(fods.Count, listed.Count);
        Assert.Equal(TestData.Render(graph), TestData.Render(loaded));
        Assert.True(write.Elapsed < TimeSpan.FromSeconds(10), line);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }
}
