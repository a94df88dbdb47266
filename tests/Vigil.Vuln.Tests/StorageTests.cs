using Vigil.Data;
using Vigil.Nix.Fetchers;
using Vigil.Nix.Hashing;
using Vigil.Testing;
using Vigil.Vuln.Feeds;
using Vigil.Vuln.Scanning;
using Vigil.Vuln.Tests.Support;
using Vigil.Vuln.Triage;

namespace Vigil.Vuln.Tests;

/// <summary>Import, triage storage and a scan of a stored revision, on SQLite and on a real PostgreSQL.</summary>
public abstract class StorageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract Task<string> NewDatabaseAsync();

    [Fact]
    public async Task Import_is_idempotent_and_incremental_and_reports_malformed_records()
    {
        var feeds = Directory.CreateTempSubdirectory("vigil-feeds-").FullName;
        try
        {
            CopyTree(TestFeeds.Root, feeds);
            await using var db = await VigilDatabase.OpenAsync(await NewDatabaseAsync(), Ct);
            var importer = new FeedImporter(db) { BatchSize = 3 }; // several write transactions

            var first = await importer.ImportAsync(feeds, null, Ct);
            Assert.Equal((15, 0, 0), (first.Imported, first.Updated, first.Unchanged));
            Assert.Equal(4, first.Malformed.Count);
            Assert.Contains(first.Malformed, m => m.File.EndsWith("CVE-2022-0003.json", StringComparison.Ordinal) && m.Error!.StartsWith("not JSON", StringComparison.Ordinal));
            var stored = await db.ListVulnRecordsAsync(Ct);
            Assert.Equal(15, stored.Count);

            var again = await importer.ImportAsync(feeds, null, Ct);
            Assert.Equal((0, 0, 15), (again.Imported, again.Updated, again.Unchanged));
            Assert.Equal(stored, await db.ListVulnRecordsAsync(Ct), new RowComparer());

            // One record changed, one added: only those are written.
            var curl = Directory.EnumerateFiles(feeds, "CVE-2023-38545.json", SearchOption.AllDirectories).Single();
            await File.WriteAllTextAsync(curl, (await File.ReadAllTextAsync(curl, Ct)).Replace("8.4.0", "8.4.1", StringComparison.Ordinal), Ct);
            File.Copy(Path.Combine(feeds, "osv", "PYSEC-2023-74.json"), Path.Combine(feeds, "osv", "copy.json"));
            await File.WriteAllTextAsync(Path.Combine(feeds, "osv", "copy.json"),
                (await File.ReadAllTextAsync(Path.Combine(feeds, "osv", "copy.json"), Ct)).Replace("PYSEC-2023-74", "PYSEC-2023-75", StringComparison.Ordinal), Ct);
            var third = await importer.ImportAsync(feeds, null, Ct);
            Assert.Equal((1, 1, 14), (third.Imported, third.Updated, third.Unchanged));
            var updated = (await db.ListVulnRecordsAsync(Ct)).Single(r => r.RecordId == "CVE-2023-38545");
            Assert.Equal("<8.4.1", AffectedCodec.Decode(updated.Affected)[0].Affected[0].Describe()[^6..]);
        }
        finally
        {
            Directory.Delete(feeds, true);
        }
    }

    [Fact]
    public async Task Triage_rules_are_stored_replaced_and_listed()
    {
        await using var db = await VigilDatabase.OpenAsync(await NewDatabaseAsync(), Ct);
        var at = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);
        var rules = VulnixWhitelist.Parse(await File.ReadAllTextAsync(TestFeeds.Whitelist, Ct), "vulnix:w", at);
        await db.SaveVulnTriageAsync(rules, Ct);
        var changed = rules[0] with { Status = TriageStatus.NotAffected, Reason = "checked", Until = null, Origin = "cli" };
        await db.SaveVulnTriageAsync([changed], Ct);

        var listed = await db.ListVulnTriageAsync(Ct);
        Assert.Equal(rules.Count, listed.Count);
        Assert.Contains(changed, listed);
        Assert.Equal(rules.Skip(1).OrderBy(r => r.Cve, StringComparer.Ordinal), listed.Where(r => r != changed).OrderBy(r => r.Cve, StringComparer.Ordinal));
        await Assert.ThrowsAsync<ArgumentException>(() => db.SaveVulnTriageAsync([changed, changed], Ct));
    }

    [Fact]
    public async Task A_stored_revision_is_scanned_from_its_drv_graph()
    {
        await using var db = await VigilDatabase.OpenAsync(await NewDatabaseAsync(), Ct);
        await new FeedImporter(db).ImportAsync(TestFeeds.Root, null, Ct);
        // curl-8.3.0 ← its source (GitHub) and a CVE patch; app-1.0 ← curl; zlib-1.3 ← its source.
        static string Drv(string name) => $"/nix/store/{Hash32(name)}-{name}.drv";
        var curlSrc = Fod(Drv("source"), "source", "https://github.com/curl/curl/archive/curl-8_3_0.tar.gz");
        var patch = Fod(Drv("CVE-2023-38545.patch"), "CVE-2023-38545.patch", "https://github.com/curl/curl/commit/fb4415d8.patch");
        var zlibSrc = Fod(Drv("zlib-1.3.tar.gz"), "zlib-1.3.tar.gz", "https://github.com/madler/zlib/releases/download/v1.3/zlib-1.3.tar.gz");
        // Children first, inputs by node number, as a scan stores the graph with its revision.
        string[] paths = [curlSrc.DrvPath, patch.DrvPath, zlibSrc.DrvPath, Drv("curl-8.3.0"), Drv("zlib-1.3"), Drv("app-1.0")];
        var graph = new RevisionGraph(paths, [true, true, true, false, false, false], [0, 0, 0, 0, 2, 3, 4], [0, 1, 2, 3]);
        await db.WriteFodsAsync([curlSrc, patch, zlibSrc], Ct);
        var revision = await db.SaveRevisionAsync("r1", "pkgs.nix",
            [new RevisionRoot("app", Drv("app-1.0")), new RevisionRoot("zlib", Drv("zlib-1.3"))],
            [new RevisionFod(curlSrc.DrvPath, ["app"], 1), new RevisionFod(patch.DrvPath, ["app"], 1), new RevisionFod(zlibSrc.DrvPath, ["zlib"], 1)], [], graph, Ct);

        var scan = await VulnScanner.ScanAsync(db, revision, new FixedClock(DateTimeOffset.UnixEpoch), Ct);

        Assert.Equal(3, scan.Packages); // app, curl, zlib: sources and patches are not packages
        Assert.False(scan.RootsOnly);
        var curl = Assert.Single(scan.Findings, f => f.Pname == "curl");
        Assert.Equal(("CVE-2023-38545", "patched", 0.95), (curl.Cve, curl.Status, curl.Confidence));
        Assert.Equal(["app"], curl.Attrs);
        Assert.Contains("patched: CVE-2023-38545.patch names CVE-2023-38545", curl.Evidence);
        var zlib = Assert.Single(scan.Findings, f => f.Pname == "zlib");
        Assert.Equal(("CVE-2024-1002", "affected"), (zlib.Cve, zlib.Status));
        Assert.Equal(["zlib"], zlib.Attrs);

        // Saved again without a graph (a read-only scan stores none), only the roots are packages.
        var bare = await db.SaveRevisionAsync("r1", "pkgs.nix", [new RevisionRoot("app", Drv("app-1.0")), new RevisionRoot("zlib", Drv("zlib-1.3"))],
            [new RevisionFod(zlibSrc.DrvPath, ["zlib"], 1)], [], null, Ct);
        Assert.Null(await db.LoadGraphAsync(bare.Id, Ct));
        var rootsOnly = await VulnScanner.ScanAsync(db, bare, new FixedClock(DateTimeOffset.UnixEpoch), Ct);
        Assert.Equal(2, rootsOnly.Packages);
        Assert.True(rootsOnly.RootsOnly); // and vigil vuln scan says so
        var bareZlib = Assert.Single(rootsOnly.Findings, f => f.Pname == "zlib");
        Assert.Equal(("CVE-2024-1002", "affected"), (bareZlib.Cve, bareZlib.Status));
    }

    private static string Hash32(string seed) =>
        Nix32.Encode(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(seed))[..20]);

    private static FodRecord Fod(string drvPath, string name, string url) =>
        new(drvPath, $"/nix/store/{Hash32(drvPath)}-{name}", name, HashAlgorithmKind.Sha256, "flat", "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            new string('0', 64), FetcherKind.BuiltinFetchurl, [url], null, "{}", new string('1', 64));

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private sealed class RowComparer : IEqualityComparer<VulnRecordRow>
    {
        public bool Equals(VulnRecordRow? x, VulnRecordRow? y) =>
            x is not null && y is not null && x with { Aliases = [] } == y with { Aliases = [] } && x.Aliases.SequenceEqual(y.Aliases);

        public int GetHashCode(VulnRecordRow obj) => obj.RecordId.GetHashCode(StringComparison.Ordinal);
    }
}

public sealed class SqliteStorageTests : StorageTests, IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("vigil-vuln-").FullName;
    private int count;

    protected override Task<string> NewDatabaseAsync() => Task.FromResult(Path.Combine(dir, $"db{++count}.db"));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dir, true);
    }
}

public sealed class PostgresStorageTests(PostgresFixture postgres) : StorageTests
{
    protected override Task<string> NewDatabaseAsync()
    {
        Assert.SkipWhen(PostgresFixture.SkipReason is not null, PostgresFixture.SkipReason ?? "");
        return postgres.CreateDatabaseAsync();
    }
}
