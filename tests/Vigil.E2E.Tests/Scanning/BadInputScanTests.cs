using System.Diagnostics;
using Vigil.Data;
using Vigil.E2E.Tests.Support;
using static Vigil.E2E.Tests.Evaluation.NixTestEnvironment;

namespace Vigil.E2E.Tests.Scanning;

/// <summary>
/// Bad input gets a clear error and costs only itself: corrupt, missing and absent <c>.drv</c> files
/// and broken attributes are listed and stored as errors while the scan keeps every other FOD; a
/// database that cannot be reached stops the command with exit 2 and one line naming it.
/// </summary>
public sealed class BadInputScanTests(ScannedSets sets)
{
    [Theory]
    [InlineData("drvs")]
    [InlineData("combined")]
    public async Task Corrupt_and_missing_drvs_are_listed_and_every_other_fod_is_kept(string backend)
    {
        Assert.SkipWhen(!NixAvailable, "nix is not installed");
        var s = await sets.GetAsync("scan");
        using var work = new ScanWorkspace();
        var storeRoot = await work.CopyStoreAsync(s.Oracle.StoreRoot);
        var location = Location(storeRoot);
        string Drv(string suffix) => s.Oracle.Drvs.Keys.Single(p => p.EndsWith(suffix, StringComparison.Ordinal));

        // Not roots: a tool every fetchurl needs (its source FOD is reached only through it), an FOD,
        // and a tool that only git sources need.
        var corrupt = Drv("-curl-8.0.drv");
        var corruptFod = Drv("-p0004-1.4.0.tar.bz2.drv");
        var missing = Drv("-git-2.40.drv");
        Assert.DoesNotContain(s.Oracle.Roots, r => r.DrvPath == corrupt || r.DrvPath == corruptFod || r.DrvPath == missing);
        await File.WriteAllTextAsync(location.RealPath(corrupt), "Derive([(\"out\",\"/nix/store/");
        await File.WriteAllTextAsync(location.RealPath(corruptFod), "Derive([(\"out\",\"/nix/store/x\",\"sha256\",\"00\")],[],[],\"x\",\"/bin/sh\",[],[(\"out\"");
        File.Delete(location.RealPath(missing));

        var db = work.NewSqliteDb();
        var absent = "/nix/store/00000000000000000000000000000000-absent-root.drv";
        string[] source = backend == "drvs"
            ? ["--drvs", WriteList(work.NewPath("roots.txt"), [.. s.Oracle.Roots.Select(r => r.DrvPath), absent])]
            : [.. s.TargetArgs(), "--backend", backend];
        var scan = await ScanCli.ScanAsync([.. source, "--store", StoreUri(storeRoot), "--db", db]);

        var expected = new Dictionary<string, string>
        {
            [corrupt] = "is malformed",
            [corruptFod] = "is malformed",
            [missing] = "cannot read derivation",
        };
        if (backend == "drvs")
        {
            expected[absent] = "cannot read derivation";
        }
        else
        {
            foreach (var (attr, message) in s.Failures)
            {
                expected[attr] = message;
            }
        }
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), scan.Errors.Select(e => e.Attr).Order(StringComparer.Ordinal));
        Assert.All(scan.Errors, e => Assert.Contains(expected[e.Attr], e.Message, StringComparison.Ordinal));
        Assert.All(scan.Errors.Where(e => e.Attr.StartsWith('/')), e => Assert.Contains(e.Attr, e.Message, StringComparison.Ordinal));
        await using (var database = await VigilDatabase.OpenAsync(db))
        {
            var stored = await database.ListEvalErrorsAsync(scan.Revision.Id);
            Assert.Equal(scan.Errors.Select(e => (e.Attr, e.Message)).Order(), stored.Select(e => (e.Attr, e.Message)).Order());
        }

        // Every FOD still reachable without entering the bad files is stored, and only those.
        var blocked = new HashSet<string>(StringComparer.Ordinal) { corrupt, corruptFod, missing };
        var kept = s.Oracle.FodsOf(s.Oracle.Roots.Select(r => r.DrvPath), blocked);
        Assert.Equal(kept, (await ScanCli.FodsAsync(db)).Select(f => f.Render()));
        Assert.True(kept.Count >= s.Oracle.Fods.Count - 3, $"{kept.Count} of {s.Oracle.Fods.Count}");
    }

    [Fact]
    public async Task An_unreachable_postgres_is_exit_2_with_one_line_naming_it()
    {
        using var work = new ScanWorkspace();
        var list = WriteList(work.NewPath("roots.txt"), ["/nix/store/00000000000000000000000000000000-x.drv"]);
        const string Db = "postgres://x@127.0.0.1:1/db";
        var clock = Stopwatch.StartNew();
        foreach (var args in new[]
        {
            new[] { "scan", "--drvs", list, "--store", $"local?root={work.Root}", "--db", Db },
            ["fods", "--db", Db, "--json"],
            ["revisions", "--db", Db],
        })
        {
            var result = await CliRunner.RunAsync(args);
            Assert.Equal(2, result.ExitCode);
            Assert.Empty(result.Stdout);
            var line = Assert.Single(result.Stderr.TrimEnd().Split('\n'));
            Assert.StartsWith("vigil: ", line, StringComparison.Ordinal);
            Assert.Contains("127.0.0.1:1", line, StringComparison.Ordinal);
        }
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    private static string WriteList(string path, IEnumerable<string> lines)
    {
        File.WriteAllLines(path, lines);
        return path;
    }
}
