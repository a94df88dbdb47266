using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Vigil.Data;
using Vigil.Nix.Fetchers;
using Vigil.Nix.Hashing;
using Vigil.Vuln.Feeds;
using Vigil.Vuln.Inventory;
using Vigil.Vuln.Versions;

namespace Vigil.Bench;

/// <summary>
/// The vulnerability benchmark's data (bench/vuln/run.sh): a package set stored as a scanned revision
/// (a derivation and a source FOD per package, the way <c>vigil scan</c> stores them) and feed files
/// in the three formats (cvelistV5-shaped CVE 5 tree, NVD 2.0 pages, OSV files) whose products are
/// mostly names of the set, with version ranges around its versions; plus the naive pairwise
/// matcher's cost, measured on a sample, for contrast.
/// </summary>
internal static class VulnBenchData
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static Dictionary<string, string> Options(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            options[args[i].TrimStart('-')] = args[i + 1];
        }
        return options;
    }

    private static string Pname(int i) => $"{(i % 7 == 0 ? "lib" : "")}pkg{i}{(i % 11 == 0 ? "_extra" : "")}";

    private static string Version(Random random) =>
        $"{random.Next(0, 12)}.{random.Next(0, 30)}.{random.Next(0, 20)}{(random.Next(50) == 0 ? "rc1" : "")}";

    public static async Task<int> GenerateAsync(string[] args)
    {
        var o = Options(args);
        var dir = o["dir"];
        var packages = int.Parse(o.GetValueOrDefault("packages", "100000"), Inv);
        var records = int.Parse(o.GetValueOrDefault("records", "250000"), Inv);
        var distinct = packages * 6 / 10; // some names come in several versions, as in nixpkgs
        var random = new Random(int.Parse(o.GetValueOrDefault("seed", "1"), Inv));
        var clock = Stopwatch.StartNew();

        // The package set: names, versions, a source FOD each (a third from GitHub), stored as a revision.
        var set = new (string Pname, string Version, string? Repo)[packages];
        for (var i = 0; i < packages; i++)
        {
            var n = i < distinct ? i : random.Next(distinct);
            set[i] = (Pname(n), Version(random), n % 3 == 0 ? $"github.com/owner{n}/{Pname(n)}" : null);
        }
        await using (var db = await VigilDatabase.OpenAsync(o["db"]))
        {
            // The graph stored with the revision: each package's node after its source's, naming it.
            var paths = new List<string>(packages * 2);
            var isFod = new List<bool>(packages * 2);
            var inputStart = new List<int>(packages * 2 + 1) { 0 };
            var inputs = new List<int>(packages);
            var fods = new List<FodRecord>(packages);
            var roots = new List<RevisionRoot>(packages);
            var members = new List<RevisionFod>(packages);
            for (var i = 0; i < packages; i++)
            {
                var (pname, version, repo) = set[i];
                var url = repo is null ? $"https://{pname}.example.org/{pname}-{version}.tar.gz" : $"https://{repo}/archive/v{version}.tar.gz";
                var srcPath = StorePath($"src{i}", $"{pname}-{version}.tar.gz.drv");
                fods.Add(new FodRecord(srcPath, StorePath($"out{i}", $"{pname}-{version}.tar.gz"), $"{pname}-{version}.tar.gz", HashAlgorithmKind.Sha256, "flat",
                    "sha256-" + Convert.ToBase64String(SHA256.HashData(BitConverter.GetBytes(i))), new string('0', 64), FetcherKind.Fetchurl, [url], null, "{}", new string('1', 64)));
                paths.Add(srcPath);
                isFod.Add(true);
                inputStart.Add(inputs.Count);
                var pkgPath = StorePath($"pkg{i}", $"{pname}-{version}.drv");
                inputs.Add(paths.Count - 1);
                paths.Add(pkgPath);
                isFod.Add(false);
                inputStart.Add(inputs.Count);
                roots.Add(new RevisionRoot($"a{i}", pkgPath));
                members.Add(new RevisionFod(srcPath, [$"a{i}"], 1));
            }
            await db.WriteFodsAsync(fods);
            await db.SaveRevisionAsync("bench", "generated", roots, members, [], new RevisionGraph([.. paths], [.. isFod], [.. inputStart], [.. inputs]));
        }
        Console.Error.WriteLine(string.Create(Inv, $"package set: {packages} packages stored as revision 'bench' in {clock.Elapsed.TotalSeconds:0.0} s"));

        // The feeds: 40% CVE 5, 40% NVD (pages of 2,000), 20% OSV. 70% name a package of the set.
        clock.Restart();
        var nvdPage = new List<string>();
        var pageNo = 0;
        for (var r = 0; r < records; r++)
        {
            var target = random.Next(10) < 7 ? set[random.Next(packages)] : ($"other{r}", Version(random), null);
            var cve = string.Create(Inv, $"CVE-{2000 + (r % 26)}-{100000 + r}");
            var (start, end) = RangeAround(target.Version, random);
            var kind = r % 5;
            if (kind < 2)
            {
                var sub = Path.Combine(dir, "cve5", "cves", cve[4..8], $"{(100000 + r) / 1000}xxx");
                Directory.CreateDirectory(sub);
                var repo = target.Repo is { } g && random.Next(2) == 0 ? $",\"repo\":\"https://{g}\"" : "";
                await File.WriteAllTextAsync(Path.Combine(sub, cve + ".json"),
                    string.Concat("{\"dataType\":\"CVE_RECORD\",\"cveMetadata\":{\"cveId\":\"", (cve), "\",\"state\":\"PUBLISHED\",\"dateUpdated\":\"2025-01-01T00:00:00Z\"},\"containers\":{\"cna\":{\"title\":\"generated ", (r), "\",\"descriptions\":[{\"lang\":\"en\",\"value\":\"A generated vulnerability of ", (target.Pname), ".\"}],\"affected\":[{\"vendor\":\"v", (r % 100), "\",\"product\":\"", (target.Pname), "\"", (repo), ",\"versions\":[{\"version\":\"", (start), "\",\"lessThan\":\"", (end), "\",\"status\":\"affected\",\"versionType\":\"semver\"}]}]}}}"));
            }
            else if (kind < 4)
            {
                nvdPage.Add(string.Concat("{\"cve\":{\"id\":\"", (cve), "\",\"lastModified\":\"2025-01-01T00:00:00.000\",\"descriptions\":[{\"lang\":\"en\",\"value\":\"generated ", (r), "\"}],\"configurations\":[{\"nodes\":[{\"operator\":\"OR\",\"negate\":false,\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:", (target.Pname), "_project:", (target.Pname), ":*:*:*:*:*:*:*:*\",\"versionStartIncluding\":\"", (start), "\",\"versionEndExcluding\":\"", (end), "\"},{\"vulnerable\":false,\"criteria\":\"cpe:2.3:o:linux:linux_kernel:-:*:*:*:*:*:*:*\"}]}]}]}}"));
                if (nvdPage.Count == 2000)
                {
                    await WriteNvdPageAsync(dir, pageNo++, nvdPage);
                }
            }
            else
            {
                var sub = Path.Combine(dir, "osv", (r / 10000).ToString(Inv));
                Directory.CreateDirectory(sub);
                var id = string.Create(Inv, $"OSV-{2000 + (r % 26)}-{r}");
                var git = target.Repo is { } g ? $",{{\"type\":\"GIT\",\"repo\":\"https://{g}\",\"events\":[{{\"introduced\":\"0\"}},{{\"fixed\":\"abc{r}\"}}]}}" : "";
                await File.WriteAllTextAsync(Path.Combine(sub, id + ".json"),
                    string.Concat("{\"schema_version\":\"1.6.0\",\"id\":\"", (id), "\",\"modified\":\"2025-01-01T00:00:00Z\",\"aliases\":[\"", (cve), "\"],\"summary\":\"generated ", (r), "\",\"affected\":[{\"package\":{\"ecosystem\":\"OSS-Fuzz\",\"name\":\"", (target.Pname), "\"},\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"", (start), "\"},{\"fixed\":\"", (end), "\"}]}", (git), "]}]}"));
            }
        }
        if (nvdPage.Count > 0)
        {
            await WriteNvdPageAsync(dir, pageNo, nvdPage);
        }
        Console.Error.WriteLine(string.Create(Inv, $"feeds: {records} records under {dir} in {clock.Elapsed.TotalSeconds:0.0} s"));
        return 0;
    }

    private static (string Start, string End) RangeAround(string version, Random random)
    {
        var major = int.Parse(version.Split('.')[0], Inv);
        var low = Math.Max(0, major - random.Next(0, 3));
        var high = major + random.Next(0, 2);
        return (string.Create(Inv, $"{low}.0.0"), string.Create(Inv, $"{high}.{random.Next(0, 30)}.0"));
    }

    private static async Task WriteNvdPageAsync(string dir, int page, List<string> items)
    {
        Directory.CreateDirectory(Path.Combine(dir, "nvd"));
        var text = string.Concat("{\"resultsPerPage\":", (items.Count), ",\"startIndex\":", (page * 2000), ",\"totalResults\":0,\"format\":\"NVD_CVE\",\"version\":\"2.0\",\"vulnerabilities\":[", (string.Join(",", items)), "]}");
        await File.WriteAllTextAsync(Path.Combine(dir, "nvd", string.Create(Inv, $"page-{page:D4}.json")), text);
        items.Clear();
    }

    private static string StorePath(string seed, string name) =>
        $"/nix/store/{Nix32.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(seed))[..20])}-{name}";

    /// <summary>Wall time of each phase of a scan, in process (JIT), for finding where the time goes.</summary>
    public static async Task<int> PhasesAsync(string[] args)
    {
        var o = Options(args);
        await using var db = await VigilDatabase.OpenAsync(o["db"]);
        var revision = await db.FindRevisionAsync(o.GetValueOrDefault("revision", "bench")) ?? throw new InvalidOperationException("no revision");
        var clock = Stopwatch.StartNew();
        var roots = await db.ListRootsAsync(revision.Id);
        var r1 = clock.Elapsed.TotalSeconds;
        var fodList = await db.ListSourceFodsAsync(revision.Id);
        var r2 = clock.Elapsed.TotalSeconds;
        var graph = await db.LoadGraphAsync(revision.Id);
        var r3 = clock.Elapsed.TotalSeconds;
        InventoryBuilder.Build(roots, graph, fodList);
        var r4 = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(Inv, $"roots {r1:0.00}; fods {r2 - r1:0.00}; graph {r3 - r2:0.00}; build {r4 - r3:0.00}"));
        clock.Restart();
        var rows = await db.ListVulnRecordsAsync();
        var t1 = clock.Elapsed.TotalSeconds;
        var index = await Vigil.Vuln.Scanning.VulnScanner.LoadIndexAsync(db);
        var t2 = clock.Elapsed.TotalSeconds;
        var (packages, _) = await RevisionInventory.LoadAsync(db, revision);
        var t3 = clock.Elapsed.TotalSeconds;
        var scan = Vigil.Vuln.Scanning.VulnScanner.Scan(revision, packages, index, new Vigil.Vuln.Triage.TriageBook([], TimeProvider.System), TimeSpan.Zero);
        var t4 = clock.Elapsed.TotalSeconds;
        var affected = 0;
        Parallel.ForEach(packages, p => Interlocked.Add(ref affected, Vigil.Vuln.Matching.VulnMatcher.Match(index, p, explain: false).Count));
        var tm = clock.Elapsed.TotalSeconds - t4;
        t4 = clock.Elapsed.TotalSeconds;
        using (var json = new Utf8JsonWriter(Stream.Null))
        {
            Vigil.Vuln.Reporting.VulnJson.WriteFindings(json, scan.Findings);
        }
        var t5 = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(Inv, $"rows {t1:0.00} s ({rows.Count}); rows+decode+index {t2 - t1:0.00} s; inventory {t3 - t2:0.00} s ({packages.Count}); scan {t4 - t3 - tm:0.00} s of which matching alone {tm:0.00} s ({scan.Findings.Count} findings, {affected} candidates); json {t5 - t4:0.00} s"));
        return 0;
    }

    /// <summary>
    /// What a pairwise matcher (every package against every affected product: name comparison, then
    /// the version ranges of the equal ones) costs: measured for a sample of packages, extrapolated.
    /// </summary>
    public static async Task<int> PairwiseEstimateAsync(string[] args)
    {
        var o = Options(args);
        var sample = int.Parse(o.GetValueOrDefault("sample", "200"), Inv);
        await using var db = await VigilDatabase.OpenAsync(o["db"]);
        var revision = await db.FindRevisionAsync(o.GetValueOrDefault("revision", "bench")) ?? throw new InvalidOperationException("no revision");
        var (packages, _) = await RevisionInventory.LoadAsync(db, revision);
        var entries = (await db.ListVulnRecordsAsync()).SelectMany(r => AffectedCodec.Decode(r.Affected)).ToArray();
        var clock = Stopwatch.StartNew();
        var matches = 0;
        foreach (var package in packages.Take(sample))
        {
            var names = PackageNames.Candidates(package.Pname).Select(c => c.Name).ToArray();
            foreach (var e in entries)
            {
                var product = PackageNames.Normalise(e.Product ?? e.PackageName ?? "");
                if (Array.IndexOf(names, product) >= 0 && (e.AllVersions || e.Affected.Any(r => r.Contains(package.Version))))
                {
                    matches++;
                }
            }
        }
        var perPackage = clock.Elapsed.TotalSeconds / Math.Min(sample, packages.Count);
        var json = new Utf8JsonWriter(Console.OpenStandardOutput());
        json.WriteStartObject();
        json.WriteNumber("sample", Math.Min(sample, packages.Count));
        json.WriteNumber("entries", entries.Length);
        json.WriteNumber("secondsPerPackage", perPackage);
        json.WriteNumber("estimatedSeconds", Math.Round(perPackage * packages.Count, 1));
        json.WriteNumber("sampleMatches", matches);
        json.WriteEndObject();
        await json.FlushAsync();
        Console.WriteLine();
        return 0;
    }
}
