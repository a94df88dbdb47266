using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Vigil.Data.Tests.Support;
using Vigil.Nix.Fetchers;
using Vigil.Testing;

namespace Vigil.Data.Tests;

/// <summary>
/// A nixpkgs-sized scan in one call: 50k derivations of which 25k are FODs, written, rewritten
/// (a rescan), looked up and saved as a revision, on each dialect. Timings are printed.
/// </summary>
[Collection(nameof(SerialCollection))]
public sealed class BulkWriteTests(PostgresFixture postgres) : IDisposable
{
    // Generating the graph (store-path hashing) costs seconds; both dialects write the same one.
    private static readonly Lazy<(List<StoredDrv> Drvs, List<FodRecord> Fods)> Graph = new(() => TestData.Graph(50_000));

    private readonly string dir = Directory.CreateTempSubdirectory("vigil-bulk-").FullName;

    [Theory]
    [InlineData("SQLite")]
    [InlineData("PostgreSQL")]
    public async Task Writing_50k_drvs_and_25k_fods_takes_under_10_seconds(string dialect)
    {
        var ct = TestContext.Current.CancellationToken;
        var cs = dialect == "SQLite" ? Path.Combine(dir, "bulk.db") : await postgres.CreateDatabaseAsync();
        await using var db = await VigilDatabase.OpenAsync(cs, ct);
        var (drvs, fods) = Graph.Value;
        var keys = drvs.Select(d => d.DrvPath).ToList();
        var members = fods.Select((f, i) => new RevisionFod(f.DrvPath, [$"pkgs.p{i}"], 1)).ToList();

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var write = Stopwatch.StartNew();
        await db.WriteDrvsAsync(drvs, fods, ct);
        write.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var rewrite = Stopwatch.StartNew();
        await db.WriteDrvsAsync(drvs, fods, ct);
        rewrite.Stop();
        var find = Stopwatch.StartNew();
        var found = await db.FindDrvsAsync(keys, ct);
        var foundFods = await db.FindFodsAsync(keys, ct);
        find.Stop();
        var save = Stopwatch.StartNew();
        var revision = await db.SaveRevisionAsync("bulk", "bulk", [], members, [], ct);
        save.Stop();
        var list = Stopwatch.StartNew();
        var listed = await db.ListFodsAsync(revision.Id, ct);
        list.Stop();

        var line = $"{dialect}: write {drvs.Count} drvs + {fods.Count} FODs {write.ElapsedMilliseconds} ms (client CPU {cpu.TotalMilliseconds:F0} ms), rewrite {rewrite.ElapsedMilliseconds} ms, " +
            $"find all drvs + FODs {find.ElapsedMilliseconds} ms, save revision of {members.Count} FODs {save.ElapsedMilliseconds} ms, list its FODs {list.ElapsedMilliseconds} ms";
        TestContext.Current.TestOutputHelper!.WriteLine(line);
        // stderr reaches the console of `dotnet test` even when the test passes.
        await Console.Error.WriteLineAsync("[bulk] " + line);
        Assert.Equal(drvs.Count, found.Count);
        Assert.Equal(fods.Count, foundFods.Count);
        Assert.Equal(fods.Count, listed.Count);
        Assert.True(write.Elapsed < TimeSpan.FromSeconds(10), line);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }
}
