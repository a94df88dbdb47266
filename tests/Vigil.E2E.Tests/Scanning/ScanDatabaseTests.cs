using Vigil.Data;
using Vigil.Testing;
using static Vigil.E2E.Tests.Evaluation.NixTestEnvironment;

namespace Vigil.E2E.Tests.Scanning;

/// <summary>The same scans into SQLite and into a real PostgreSQL answer every query the same.</summary>
public sealed class ScanDatabaseTests(ScannedSets sets, PostgresFixture postgres)
{
    [Fact]
    public async Task Sqlite_and_postgres_give_identical_fods_and_revisions()
    {
        Assert.SkipWhen(!NixAvailable, "nix is not installed");
        var s = await sets.GetAsync("scan");
        using var work = new ScanWorkspace();
        var store = StoreUri(work.NewStoreRoot());
        var sqlite = work.NewSqliteDb();
        var pg = await postgres.CreateDatabaseAsync();

        // Two revisions each, the second a small update of the first, so that the incremental path
        // (the last revision's graph stands in for the files) runs on both dialects too.
        var answers = new List<List<string>>();
        foreach (var db in new[] { sqlite, pg })
        {
            var first = await ScanCli.ScanAsync([.. s.TargetArgs(), "--store", store, "--db", db, "--revision", "before"]);
            var second = await ScanCli.ScanAsync([.. s.TargetArgs(), "--argstr", "bump=4 11", "--store", store, "--db", db, "--revision", "after"]);
            Assert.Equal(first.DrvsInClosure, first.DrvsRead);
            Assert.InRange(second.DrvsRead, 1, second.DrvsInClosure / 4);
            Assert.Equal(s.Oracle.AllFods(), (await ScanCli.FodsAsync(db, "before")).Select(f => f.Render()));

            var latest = await ScanCli.FodsJsonAsync(db);
            Assert.Equal(latest, await ScanCli.FodsJsonAsync(db, "after"));
            var revisions = await ScanCli.RevisionsAsync(db);
            Assert.Equal(["after", "before"], revisions.Select(r => r.Name));
            await using var database = await VigilDatabase.OpenAsync(db);
            var answer = new List<string>
            {
                System.Text.Encoding.UTF8.GetString(latest),
                System.Text.Encoding.UTF8.GetString(await ScanCli.FodsJsonAsync(db, "before")),
            };
            foreach (var (scan, r) in new[] { first, second }.Zip(revisions.AsEnumerable().Reverse()))
            {
                Assert.Equal(scan.Revision, r);
                // Ids and times are the database's own; everything else must match.
                answer.Add((r with { Id = 0, ScannedAt = default }).ToString());
                answer.Add(string.Join('\n', scan.Errors));
                answer.AddRange((await database.ListRootsAsync(r.Id)).Select(x => x.ToString()));
                answer.AddRange((await database.ListEvalErrorsAsync(r.Id)).Select(x => x.ToString()));
            }
            answers.Add(answer);
        }
        Assert.Equal(answers[0], answers[1]);
    }
}
