using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Vigil.Data;
using static Vigil.E2E.Tests.Evaluation.NixTestEnvironment;

namespace Vigil.E2E.Tests.Scanning;

/// <summary>
/// A <c>vigil scan</c> process stopped in the middle of its walk, by SIGKILL (nothing runs) or by
/// SIGTERM (Ctrl-C's path: the command is cancelled), loses nothing it stored and leaves nothing
/// half-done; a rerun reads only the rest.
/// </summary>
public sealed class InterruptedScanTests(InterruptedScanTests.LargeSet large) : IClassFixture<InterruptedScanTests.LargeSet>
{
    /// <summary>Enough derivations (about 9,300) that the walk stores some while much is left to read; instantiated once.</summary>
    public sealed class LargeSet : IDisposable
    {
        public const int Packages = 4000;

        private readonly Lazy<Task<NixOracle>> oracle;

        public LargeSet() => oracle = new(() => NixOracle.InstantiateAsync(Workspace.NewStoreRoot(), ScanPackageSet.Write(Workspace.Root),
            ScanPackageSet.GoodAttrs(Packages), new Dictionary<string, string> { ["n"] = $"{Packages}" }));

        public ScanWorkspace Workspace { get; } = new();

        public Task<NixOracle> OracleAsync() => oracle.Value;

        public void Dispose() => Workspace.Dispose();
    }

    [Theory]
    [InlineData("KILL", 128 + 9)]
    [InlineData("TERM", 130)]
    public async Task A_scan_stopped_midway_leaves_a_consistent_database_and_a_rerun_completes(string signal, int exitCode)
    {
        Assert.SkipWhen(!NixAvailable, "nix is not installed");
        var oracle = await large.OracleAsync();
        using var work = new ScanWorkspace();
        var roots = oracle.WriteDrvList(work.NewPath("roots.txt"));
        var db = work.NewSqliteDb();

        long stored = 0;
        using (var scan = ScanCli.Start("scan", "--drvs", roots, "--store", oracle.StoreUri, "--db", db, "--revision", "stopped"))
        {
            var stderr = scan.StandardError.ReadToEndAsync();
            var stdout = scan.StandardOutput.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            while (!scan.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
            {
                stored = CountRows(db, "drvs");
                if (stored > 0)
                {
                    await SignalAsync(scan, signal);
                    break;
                }
                await Task.Delay(5);
            }
            await scan.WaitForExitAsync();
            Assert.True(stored > 0 && scan.ExitCode == exitCode,
                $"the scan was to be stopped after storing some drvs; it stored {stored} and exited {scan.ExitCode}: {await stderr}{await stdout}");
            if (signal == "TERM")
            {
                Assert.Equal("vigil: interrupted", (await stderr).TrimEnd());
                Assert.Empty(await stdout);
            }
        }
        Assert.InRange(stored, 1, oracle.Drvs.Count - 1);

        // The file is intact, the stopped run saved no revision, and every row it stored is true and whole.
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
