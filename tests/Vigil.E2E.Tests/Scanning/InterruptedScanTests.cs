using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Vigil.Data;
using static Vigil.E2E.Tests.Evaluation.NixTestEnvironment;

namespace Vigil.E2E.Tests.Scanning;

/// <summary>
/// A <c>vigil scan</c> process stopped in the middle of its walk, by SIGKILL (nothing runs) or by
/// SIGTERM (Ctrl-C's path: the command is cancelled), leaves nothing half-done: the walk keeps its
/// graph in memory, writes FOD records in transactions of their own as it reads them and saves the
/// revision with its graph in one transaction at the end, so the database holds no revision or a
/// complete one, and FOD records that are all true. A rerun completes with what an uninterrupted
/// scan stores.
/// </summary>
public sealed class InterruptedScanTests(InterruptedScanTests.LargeSet large) : IClassFixture<InterruptedScanTests.LargeSet>
{
    /// <summary>Enough derivations (about 9,300) that the walk takes a while; instantiated, and scanned uninterrupted, once.</summary>
    public sealed class LargeSet : IDisposable
    {
        public const int Packages = 4000;

        private readonly Lazy<Task<NixOracle>> oracle;
        private readonly Lazy<Task<Reference>> reference;

        public LargeSet()
        {
            oracle = new(() => NixOracle.InstantiateAsync(Workspace.NewStoreRoot(), ScanPackageSet.Write(Workspace.Root),
                ScanPackageSet.GoodAttrs(Packages), new Dictionary<string, string> { ["n"] = $"{Packages}" }));
            reference = new(ScanUninterruptedAsync);
        }

        public ScanWorkspace Workspace { get; } = new();

        public Task<NixOracle> OracleAsync() => oracle.Value;

        /// <summary>What a scan that nothing stops stores, and how long it takes.</summary>
        public Task<Reference> ReferenceAsync() => reference.Value;

        public void Dispose() => Workspace.Dispose();

        private async Task<Reference> ScanUninterruptedAsync()
        {
            var set = await OracleAsync();
            var db = Workspace.NewSqliteDb();
            var scan = await ScanCli.ScanAsync("--drvs", set.WriteDrvList(Workspace.NewPath("roots.txt")), "--store", set.StoreUri, "--db", db, "--revision", "reference");
            await using var database = await VigilDatabase.OpenAsync(db);
            return new Reference(TimeSpan.FromSeconds(scan.Seconds), (await ScanCli.FodsAsync(db)).Select(f => f.Render()).ToList(),
                GraphLines(await database.LoadGraphAsync(scan.Revision.Id)));
        }
    }

    /// <param name="Graph">The stored graph, one sorted line per node (<see cref="GraphLines"/>).</param>
    public sealed record Reference(TimeSpan ScanTime, List<string> Fods, List<string> Graph);

    [Theory]
    [InlineData("KILL", 128 + 9)]
    [InlineData("TERM", 130)]
    public async Task A_scan_stopped_midway_leaves_a_consistent_database_and_a_rerun_completes(string signal, int exitCode)
    {
        Assert.SkipWhen(!NixAvailable, "nix is not installed");
        var oracle = await large.OracleAsync();
        var reference = await large.ReferenceAsync();
        Assert.Equal(oracle.AllFods(), reference.Fods);
        Assert.Equal(oracle.Drvs.Count, reference.Graph.Count);
        using var work = new ScanWorkspace();
        var roots = oracle.WriteDrvList(work.NewPath("roots.txt"));
        var db = work.NewSqliteDb();

        // Nothing is written while the walk runs, so the signal goes by the clock: once the scan has
        // migrated the database, a quarter of the way through the time an uninterrupted scan takes (early rather than late: under load a late signal would find the scan done).
        using (var scan = ScanCli.Start("scan", "--drvs", roots, "--store", oracle.StoreUri, "--db", db, "--revision", "stopped"))
        {
            var stderr = scan.StandardError.ReadToEndAsync();
            var stdout = scan.StandardOutput.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            while (!scan.HasExited && CountRows(db, "schema_version") == 0 && clock.Elapsed < TimeSpan.FromMinutes(2))
            {
                await Task.Delay(5);
            }
            var opened = clock.Elapsed;
            using (var wait = new CancellationTokenSource(reference.ScanTime / 4))
            {
                await scan.WaitForExitAsync(wait.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            if (!scan.HasExited)
            {
                await SignalAsync(scan, signal);
            }
            await scan.WaitForExitAsync();
            Assert.True(scan.ExitCode == exitCode,
                $"the scan was to be stopped {reference.ScanTime / 4} after it opened the database ({opened}); it exited {scan.ExitCode} after {clock.Elapsed}: {await stderr}{await stdout}");
            if (signal == "TERM")
            {
                Assert.Equal("vigil: interrupted", (await stderr).TrimEnd());
                Assert.Empty(await stdout);
            }
        }

        // The file is intact, and holds no revision or a whole one; the FOD records written before
        // the stop (whole batches) are every one true.
        using (var connection = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
            connection.Open();
            using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", check.ExecuteScalar());
        }
        bool kept;
        await using (var database = await VigilDatabase.OpenAsync(db))
        {
            var revisions = await database.ListRevisionsAsync();
            Assert.InRange(revisions.Count, 0, 1);
            kept = revisions.Count == 1;
            TestContext.Current.TestOutputHelper?.WriteLine($"stopped by SIG{signal} {reference.ScanTime / 4} into a {reference.ScanTime} scan: {(kept ? "the revision was saved" : "no revision")}, {CountRows(db, "fods")} FOD records");
            if (kept)
            {
                Assert.Equal("stopped", revisions[0].Name);
                Assert.Equal(reference.Fods, (await ScanCli.FodsAsync(db, "stopped")).Select(f => f.Render()));
                Assert.Equal(reference.Graph, GraphLines(await database.LoadGraphAsync(revisions[0].Id)));
            }
            else
            {
                foreach (var table in new[] { "revision_roots", "revision_fods", "eval_errors", "revision_graphs" })
                {
                    Assert.Equal(0, CountRows(db, table));
                }
                Assert.Null(await database.LoadLatestGraphAsync());
            }
            var fods = await database.FindFodsAsync(oracle.Fods.Keys.ToList());
            Assert.Equal(CountRows(db, "fods"), fods.Count);
            Assert.True(!kept || fods.Count == oracle.Fods.Count, $"{fods.Count} of {oracle.Fods.Count} FOD records stored with a saved revision");
            Assert.All(fods.Values, f => Assert.Equal(oracle.Fods[f.DrvPath].Render(), $"{f.DrvPath} {f.OutputPath} sha256 {f.HashMode} {f.HashSri}"));
        }

        var rerun = await ScanCli.ScanAsync("--drvs", roots, "--store", oracle.StoreUri, "--db", db, "--revision", "rerun");
        Assert.Empty(rerun.Errors);
        Assert.Equal(oracle.Drvs.Count, rerun.DrvsInClosure);
        Assert.Equal(oracle.Drvs.Count, rerun.DrvsRead + rerun.DrvsKnown);
        if (!kept)
        {
            Assert.Equal(0, rerun.DrvsKnown); // no graph was stored to stand in for the files
        }
        Assert.Equal(reference.Fods, (await ScanCli.FodsAsync(db)).Select(f => f.Render()));
        Assert.Equal(kept ? ["stopped", "rerun"] : ["rerun"], (await ScanCli.RevisionsAsync(db)).Select(r => r.Name));
        await using (var database = await VigilDatabase.OpenAsync(db))
        {
            var graph = await database.LoadGraphAsync(rerun.Revision.Id);
            Assert.Equal(reference.Graph, GraphLines(graph));
            // And that graph is Nix's: every derivation with its inputs, FODs flagged.
            for (var n = 0; n < graph!.Count; n++)
            {
                var drv = oracle.Drvs[graph.Path(n)];
                Assert.Equal(drv.InputDrvs, graph.Inputs(n).ToArray().Select(graph.Path).Order(StringComparer.Ordinal));
                Assert.Equal(drv.Fod is not null, graph.IsFod(n));
            }
        }
    }

    /// <summary>A graph as sorted lines of path, FOD flag and sorted input paths: equal for the same graph whatever its node order.</summary>
    private static List<string> GraphLines(RevisionGraph? graph)
    {
        Assert.NotNull(graph);
        return [.. Enumerable.Range(0, graph.Count)
            .Select(n => $"{graph.Path(n)} {graph.IsFod(n)} [{string.Join(",", graph.Inputs(n).ToArray().Select(graph.Path).Order(StringComparer.Ordinal))}]")
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>Sends SIGKILL (<paramref name="signal"/> "KILL") or another signal by name to <paramref name="process"/>.</summary>
    internal static async Task SignalAsync(Process process, string signal)
    {
        if (signal == "KILL")
        {
            process.Kill(); // SIGKILL: no handler, no finally block runs
            return;
        }
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))!;
        await kill.WaitForExitAsync();
    }

    /// <summary>Rows in a table, read as another process would while the scan runs; 0 before the schema exists.</summary>
    private static long CountRows(string db, string table)
    {
        if (!File.Exists(db))
        {
            return 0;
        }
        try
        {
            using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var count = connection.CreateCommand();
            count.CommandText = $"SELECT count(*) FROM {table}";
            return (long)count.ExecuteScalar()!;
        }
        catch (SqliteException)
        {
            return 0; // created but not migrated yet, or locked for the migration
        }
    }
}
