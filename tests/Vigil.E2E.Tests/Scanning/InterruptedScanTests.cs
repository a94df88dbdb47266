using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Vigil.Data;
using static Vigil.E2E.Tests.Evaluation.NixTestEnvironment;

namespace Vigil.E2E.Tests.Scanning;

/// <summary>A <c>vigil scan</c> process killed in the middle of its walk loses nothing it stored and leaves nothing half-done.</summary>
public sealed class InterruptedScanTests
{
    // Enough derivations (about 9,300) that the walk stores some while much is left to read.
    private const int Packages = 4000;

    [Fact]
    public async Task A_scan_killed_midway_leaves_a_consistent_database_and_a_rerun_completes()
    {
        Assert.SkipWhen(!NixAvailable, "nix is not installed");
        using var work = new ScanWorkspace();
        var file = ScanPackageSet.Write(work.Root);
        var oracle = await NixOracle.InstantiateAsync(work.NewStoreRoot(), file, ScanPackageSet.GoodAttrs(Packages),
            new Dictionary<string, string> { ["n"] = $"{Packages}" });
        var roots = oracle.WriteDrvList(work.NewPath("roots.txt"));
        var db = work.NewSqliteDb();

        long stored = 0;
        using (var scan = ScanCli.Start("scan", "--drvs", roots, "--store", oracle.StoreUri, "--db", db, "--revision", "killed"))
        {
            var stderr = scan.StandardError.ReadToEndAsync();
            var stdout = scan.StandardOutput.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            while (!scan.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
            {
                stored = CountRows(db, "drvs");
                if (stored > 0)
                {
                    scan.Kill(); // SIGKILL: no handler, no finally block runs
                    break;
                }
                await Task.Delay(5);
            }
            await scan.WaitForExitAsync();
            Assert.True(stored > 0 && scan.ExitCode == 128 + 9,
                $"the scan was to be killed after storing some drvs; it stored {stored} and exited {scan.ExitCode}: {await stderr}{await stdout}");
        }
        Assert.InRange(stored, 1, oracle.Drvs.Count - 1);

        // The file is intact, the killed run saved no revision, and every row it stored is true and whole.
        using (var connection = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
            connection.Open();
            using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", check.ExecuteScalar());
        }
        foreach (var table in new[] { "revisions", "revision_roots", "revision_fods", "eval_errors" })
        {
            Assert.Equal(0, CountRows(db, table));
        }
        await using (var database = await VigilDatabase.OpenAsync(db))
        {
            Assert.Empty(await database.ListRevisionsAsync());
            var drvs = await database.FindDrvsAsync(oracle.Drvs.Keys.ToList());
            Assert.Equal(CountRows(db, "drvs"), drvs.Count);
            Assert.All(drvs.Values, d =>
            {
                Assert.Equal(oracle.Drvs[d.DrvPath].InputDrvs, d.InputDrvs.Order(StringComparer.Ordinal));
                Assert.Equal(oracle.Fods.ContainsKey(d.DrvPath), d.IsFod);
            });
            var fods = await database.FindFodsAsync(oracle.Fods.Keys.ToList());
            Assert.Equal(CountRows(db, "fods"), fods.Count);
            Assert.Equal(drvs.Values.Where(d => d.IsFod).Select(d => d.DrvPath).Order(StringComparer.Ordinal), fods.Keys.Order(StringComparer.Ordinal));
            Assert.All(fods.Values, f => Assert.Equal(oracle.Fods[f.DrvPath].Render(), $"{f.DrvPath} {f.OutputPath} sha256 {f.HashMode} {f.HashSri}"));
            stored = drvs.Count;
        }

        var rerun = await ScanCli.ScanAsync("--drvs", roots, "--store", oracle.StoreUri, "--db", db, "--revision", "rerun");
        Assert.Equal(stored, rerun.DrvsKnown);
        Assert.Equal(oracle.Drvs.Count - stored, rerun.DrvsRead);
        Assert.Empty(rerun.Errors);
        Assert.Equal(oracle.AllFods(), (await ScanCli.FodsAsync(db)).Select(f => f.Render()));
        Assert.Equal(["rerun"], (await ScanCli.RevisionsAsync(db)).Select(r => r.Name));
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
