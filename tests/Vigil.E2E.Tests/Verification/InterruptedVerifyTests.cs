using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Vigil.E2E.Tests.Attacks;
using Vigil.E2E.Tests.Scanning;
using Vigil.E2E.Tests.Support;
using static Vigil.E2E.Tests.Attacks.AttackLab;

namespace Vigil.E2E.Tests.Verification;

/// <summary>
/// A <c>vigil verify</c> stopped midway, by SIGKILL (nothing runs) or SIGTERM (Ctrl-C's path: the
/// run is cancelled and the results already known are written before exit 130), loses no result it
/// stored, and a rerun verifies exactly the rest. What the code guarantees: results are stored as
/// they come (a writer drains them in small transactions), and a rerun skips every pair already
/// trusted. So an FOD whose result was committed before the stop is never fetched again; one in
/// flight when stopped (at most --concurrency of them) is fetched again by the rerun. Overall
/// every FOD has exactly one stored verification, ok.
/// </summary>
public sealed class InterruptedVerifyTests
{
    private const int Fods = 50;
    private const int Concurrency = 4;

    [Theory]
    [InlineData("KILL", 128 + 9)]
    [InlineData("TERM", 130)]
    public async Task A_verify_stopped_midway_and_rerun_verifies_every_fod_exactly_once(string signal, int exitCode)
    {
        Assert.SkipWhen(!NixAvailable, "nix is not installed");
        await using var lab = new AttackLab();
        var fods = Enumerable.Range(0, Fods).Select(i => (Name: string.Create(CultureInfo.InvariantCulture, $"f{i}"), Body: Text($"file {i}\n"))).ToList();
        foreach (var (name, body) in fods)
        {
            lab.Server.Serve($"/{name}.txt", body);
        }
        lab.Server.Delay = TimeSpan.FromMilliseconds(200);
        var file = lab.Write("many.nix", NativeVerificationTests.Set([.. fods.Select(f => (f.Name, f.Name + ".txt", Sri(f.Body)))]));
        var store = lab.NewStore("store");
        var db = lab.NewDb();
        var scanned = await VerifyCli.ScanAsync(store, db, file, "many");
        var pathOf = scanned.ToDictionary(f => f.DrvPath, f => new Uri(Assert.Single(f.Urls)).AbsolutePath, StringComparer.Ordinal);

        int storedAtKill;
        using (var verify = CliRunner.Start("verify", "--db", db, "--concurrency", Concurrency.ToString(CultureInfo.InvariantCulture), "--per-host", "0", "--json"))
        {
            verify.StandardInput.Close();
            var stdout = verify.StandardOutput.ReadToEndAsync();
            var stderr = verify.StandardError.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            while (!verify.HasExited && Stored(db).Count < 10 && clock.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(20);
            }
            await InterruptedScanTests.SignalAsync(verify, signal);
            await verify.WaitForExitAsync();
            storedAtKill = Stored(db).Count;
            Assert.True(storedAtKill is >= 10 and < Fods && verify.ExitCode == exitCode,
                $"verify was to be stopped midway; {storedAtKill} results were stored, exit {verify.ExitCode}: {await stderr}{await stdout}");
            if (signal == "TERM")
            {
                Assert.Equal("vigil: interrupted", (await stderr).TrimEnd());
            }
        }
        var stored = Stored(db);
        var firstRun = lab.Server.Requests.ToList();
        Assert.All(stored, s => Assert.Equal("ok", s.Status));

        var rerun = await VerifyCli.VerifyAsync(db, "--concurrency", Concurrency.ToString(CultureInfo.InvariantCulture), "--per-host", "0");

        Assert.True(rerun.ExitCode == 0, rerun.Explain());
        var storedDrvs = stored.Select(s => s.DrvPath).ToHashSet(StringComparer.Ordinal);
        // The rerun verified exactly the FODs without a stored result, each once.
        Assert.Equal(pathOf.Keys.Where(d => !storedDrvs.Contains(d)).Order(StringComparer.Ordinal), rerun.Results.Select(r => r.DrvPath).Order(StringComparer.Ordinal));
        var secondRun = lab.Server.Requests.Skip(firstRun.Count).ToList();
        Assert.Equal(rerun.Results.Select(r => pathOf[r.DrvPath]).Order(StringComparer.Ordinal), secondRun.Order(StringComparer.Ordinal));
        // Fetched twice overall: only those in flight when killed (at most --concurrency).
        var twice = secondRun.Intersect(firstRun, StringComparer.Ordinal).ToList();
        Assert.True(twice.Count <= Concurrency, $"{twice.Count} files were fetched by both runs: {string.Join(' ', twice)}");
        Assert.All(lab.Server.Requests.GroupBy(p => p, StringComparer.Ordinal), g => Assert.InRange(g.Count(), 1, 2));
        Assert.Equal(Fods, lab.Server.Requests.Distinct(StringComparer.Ordinal).Count());
        // Every FOD has exactly one stored verification, and it is ok.
        var all = Stored(db);
        Assert.Equal(Fods, all.Count);
        Assert.Equal(pathOf.Keys.Order(StringComparer.Ordinal), all.Select(s => s.DrvPath).Order(StringComparer.Ordinal));
        Assert.All(all, s => Assert.Equal("ok", s.Status));
    }

    /// <summary>The stored verifications (drv, status), read from the SQLite file directly.</summary>
    private static List<(string DrvPath, string Status)> Stored(string db)
    {
        if (!File.Exists(db))
        {
            return [];
        }
        using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var query = connection.CreateCommand();
        query.CommandText = "SELECT drv_path, status FROM verifications";
        var rows = new List<(string, string)>();
        try
        {
            using var reader = query.ExecuteReader();
            while (reader.Read())
            {
                rows.Add((reader.GetString(0), reader.GetString(1)));
            }
        }
        catch (SqliteException)
        {
            // Not migrated yet (or busy for a moment): nothing stored as far as this poll can tell.
        }
        return rows;
    }
}
