using System.Diagnostics;
using Npgsql;
using Vigil.Data;
using Vigil.E2E.Tests.Support;
using Vigil.Testing;
using static Vigil.E2E.Tests.Evaluation.NixTestEnvironment;

namespace Vigil.E2E.Tests.Scanning;

/// <summary>
/// Bad input gets a clear error and costs only itself: corrupt, missing and absent <c>.drv</c> files
/// and broken attributes are listed and stored as errors while the scan keeps every other FOD; a
/// database that cannot be reached, or refuses the writes, stops the command with exit 2 and one
/// line naming it.
/// </summary>
public sealed class BadInputScanTests(ScannedSets sets, PostgresFixture postgres)
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

    [Fact]
    public async Task A_database_that_refuses_the_writes_is_exit_2_with_one_line_and_no_revision()
    {
        Assert.SkipWhen(!NixAvailable, "nix is not installed");
        var s = await sets.GetAsync("scan");
        using var work = new ScanWorkspace();
        var admin = await postgres.CreateDatabaseAsync();
        await (await VigilDatabase.OpenAsync(admin)).DisposeAsync();
        // A role that may open the database and read every table but write none: reads (the stored
        // graph) keep working while every write of the walk fails.
        var role = $"vigil_reader_{Environment.ProcessId}_{Guid.NewGuid():N}"[..40];
        await ExecuteAsync(admin, $"CREATE ROLE {role} LOGIN; GRANT USAGE, CREATE ON SCHEMA public TO {role}; GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}");
        try
        {
            var reader = new NpgsqlConnectionStringBuilder(admin) { Username = role }.ConnectionString;
            var result = await CliRunner.RunAsync("scan", "--drvs", s.Oracle.WriteDrvList(work.NewPath("roots.txt")), "--store", s.Oracle.StoreUri, "--db", reader, "--json");
            Assert.Equal(2, result.ExitCode);
            Assert.Empty(result.Stdout);
            var line = Assert.Single(result.Stderr.TrimEnd().Split('\n'));
            Assert.StartsWith("vigil: database PostgreSQL ", line, StringComparison.Ordinal);
            Assert.Contains("writing FOD records failed", line, StringComparison.Ordinal);
            Assert.Contains("permission denied for table fods", line, StringComparison.Ordinal);
            await using var database = await VigilDatabase.OpenAsync(admin);
            Assert.Empty(await database.ListRevisionsAsync());
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(admin, $"DROP OWNED BY {role}; DROP ROLE {role}");
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static string WriteList(string path, IEnumerable<string> lines)
    {
        File.WriteAllLines(path, lines);
        return path;
    }
}
