using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Vigil.Data;
using static Vigil.E2E.Tests.Evaluation.NixTestEnvironment;
using static Vigil.E2E.Tests.Scanning.ScanPackageSet;

namespace Vigil.E2E.Tests.Scanning;

/// <summary>
/// <c>vigil scan</c> with every backend against what real Nix says: the FODs stored are exactly those
/// <c>nix show-derivation -r</c> finds over the roots (path, output, algorithm, mode, hash), failing
/// attributes are listed and stored, and the records carry the right URLs, fetchers and attributes.
/// </summary>
public sealed partial class ScanOracleTests(ScannedSets sets)
{
    private const string NoNix = "nix is not installed";

    public static TheoryData<string, string> SetsAndBackends { get; } = new()
    {
        { "scan", "instantiate" }, { "scan", "combined" }, { "scan", "combined --jobs 2" }, { "scan", "drvs" }, { "scan", "jsonl" },
        { "scan", "combined --write-drvs needed" }, { "scan", "combined --write-drvs needed --jobs 2" },
        { "generated", "instantiate" }, { "generated", "combined" }, { "generated", "drvs" }, { "generated", "jsonl" },
        { "generated", "combined --write-drvs needed" },
    };

    [Theory]
    [MemberData(nameof(SetsAndBackends))]
    public async Task The_stored_fods_are_exactly_those_nix_show_derivation_finds(string set, string backend)
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        var s = await sets.GetAsync(set);
        using var work = new ScanWorkspace();
        var db = work.NewSqliteDb();
        var store = backend is "drvs" or "jsonl" ? s.Oracle.StoreRoot : work.NewStoreRoot();
        string[] source = backend switch
        {
            "drvs" => ["--drvs", s.Oracle.WriteDrvList(work.NewPath("roots.txt"))],
            "jsonl" => ["--jsonl", WriteEvalJobs(s, work.NewPath("jobs.jsonl"))],
            _ => [.. s.TargetArgs(), "--backend", .. backend.Split(' ')],
        };
        var scan = await ScanCli.ScanAsync([.. source, "--store", StoreUri(store), "--db", db, "--revision", "r"]);

        var fods = await ScanCli.FodsAsync(db);
        Assert.Equal(s.Oracle.AllFods(), fods.Select(f => f.Render()));
        Assert.Equal(fods.Count, scan.Revision.FodCount);
        Assert.Equal(s.Oracle.Closure(s.Oracle.Roots.Select(r => r.DrvPath)).Count, scan.DrvsInClosure);
        if (backend.Contains("--write-drvs needed", StringComparison.Ordinal))
        {
            // The records came from the read-only walk: most of the closure was never written.
            Assert.InRange(StoreEntries(store).Count(e => e.EndsWith(".drv", StringComparison.Ordinal)), 1, scan.DrvsInClosure / 2);
        }

        // Attributes that fail are listed (not fatal, not dropped) and stored; nix-eval-jobs lists them as error lines.
        var failures = backend == "drvs" ? new Dictionary<string, string>() : s.Failures;
        Assert.Equal(failures.Keys.Order(StringComparer.Ordinal), scan.Errors.Select(e => e.Attr).Order(StringComparer.Ordinal));
        Assert.All(scan.Errors, e => Assert.Contains(failures[e.Attr], e.Message, StringComparison.Ordinal));
        await using var database = await VigilDatabase.OpenAsync(db);
        var stored = await database.ListEvalErrorsAsync(scan.Revision.Id);
        Assert.Equal(scan.Errors.Select(e => (e.Attr, e.Message)).Order(), stored.Select(e => (e.Attr, e.Message)).Order());

        var roots = await database.ListRootsAsync(scan.Revision.Id);
        // A drv list names derivations, so an alias's is listed once, under its name.
        var expectedRoots = backend == "drvs"
            ? s.Oracle.Roots.DistinctBy(r => r.DrvPath).Select(r => (Attr: DrvName(r.DrvPath), r.DrvPath))
            : s.Oracle.Roots;
        Assert.Equal(expectedRoots.Order(), roots.Select(r => (r.Attr, r.DrvPath)).Order());
    }

    [Fact]
    public async Task A_drv_or_one_attribute_as_target_scans_only_its_closure()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        var s = await sets.GetAsync("scan");
        using var work = new ScanWorkspace();
        var (attr, drv) = s.Oracle.Roots.Single(r => r.Attr == "p0005");
        var db = work.NewSqliteDb();
        var scan = await ScanCli.ScanAsync(drv, "--store", s.Oracle.StoreUri, "--db", db, "--revision", "drv");
        Assert.Equal(s.Oracle.FodsOf([drv]), (await ScanCli.FodsAsync(db)).Select(f => f.Render()));
        Assert.Equal(1, scan.Revision.RootCount);

        scan = await ScanCli.ScanAsync([.. s.TargetArgs(), "--attr", attr, "--store", StoreUri(work.NewStoreRoot()), "--db", db, "--revision", "attr"]);
        var fods = await ScanCli.FodsAsync(db);
        Assert.Equal(s.Oracle.FodsOf([drv]), fods.Select(f => f.Render()));
        Assert.All(fods, f => Assert.Equal([attr], f.Attrs));
        Assert.Empty(scan.Errors);
    }

    [Theory]
    [InlineData("scan")]
    [InlineData("generated")]
    public async Task Readonly_fods_plus_the_closures_it_did_not_enter_are_the_instantiate_set(string set)
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        var s = await sets.GetAsync(set);
        using var work = new ScanWorkspace();
        var store = work.NewStoreRoot();
        var db = work.NewSqliteDb();
        var scan = await ScanCli.ScanAsync([.. s.TargetArgs(), "--backend", "readonly", "--store", StoreUri(store), "--db", db]);
        Assert.Empty(StoreEntries(store));

        var fods = await ScanCli.FodsAsync(db);
        var notEntered = scan.NotEntered().ToList();
        Assert.NotEmpty(notEntered);
        Assert.All(notEntered, p => Assert.True(s.Oracle.Drvs.ContainsKey(p), p));
        var accounted = fods.Select(f => f.Render()).Union(s.Oracle.FodsOf(notEntered)).Order(StringComparer.Ordinal);
        Assert.Equal(s.Oracle.AllFods(), accounted);
        // What it did store is true, and it missed something (else this test would prove nothing).
        Assert.Empty(fods.Select(f => f.Render()).Except(s.Oracle.AllFods()));
        Assert.True(fods.Count < s.Oracle.Fods.Count);
        Assert.Equal(s.Failures.Keys.Order(StringComparer.Ordinal), scan.Errors.Where(e => !e.Message.StartsWith("not entered: ", StringComparison.Ordinal)).Select(e => e.Attr).Order(StringComparer.Ordinal));

        // Records made from the evaluation, without .drv files, say what the records made from the files say:
        // the database keeps whichever came first.
        var walkedDb = work.NewSqliteDb();
        await ScanCli.ScanAsync("--drvs", s.Oracle.WriteDrvList(work.NewPath("roots.txt")), "--store", s.Oracle.StoreUri, "--db", walkedDb);
        var walked = (await ScanCli.FodsAsync(walkedDb)).ToDictionary(f => f.DrvPath, StringComparer.Ordinal);
        Assert.All(fods, f => Assert.Equal(Describe(walked[f.DrvPath]), Describe(f)));
    }

    [Fact]
    public async Task Fod_records_carry_urls_fetchers_and_the_attributes_that_reach_them()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        var s = await sets.GetAsync("scan");
        using var work = new ScanWorkspace();
        var db = work.NewSqliteDb();
        // nix-eval-jobs output names the attributes without evaluating anything again.
        var scan = await ScanCli.ScanAsync("--jsonl", WriteEvalJobs(s, work.NewPath("jobs.jsonl")), "--store", s.Oracle.StoreUri, "--db", db);
        var json = await ScanCli.FodsJsonAsync(db);
        AssertRecordShape(json);
        var fods = await ScanCli.FodsAsync(db);
        var byName = fods.ToLookup(f => f.Name, StringComparer.Ordinal);

        // URLs: mirror:// expanded through the mirrors-list in the closure, order kept; fetchers by shape.
        AssertFod(byName["p0000-1.0.0.tar.gz"].Single(), "builtin-fetchurl", [$"{Base}/p0000-1.0.0.tar.gz"]);
        AssertFod(byName["p0001-1.1.0.tar.gz"].Single(), "fetchurl",
            [$"{Base}/gnu/p0001/p0001-1.1.0.tar.gz", "http://127.0.0.2/gnu/p0001/p0001-1.1.0.tar.gz", $"{Base}/direct/p0001-1.1.0.tar.gz"]);
        var git = byName["p0002-1.2.0-src"].Single();
        AssertFod(git, "git", [$"{Base}/git/p0002.git"]);
        Assert.Equal(Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes("p0002-1.2.0"))), git.Rev);
        AssertFod(byName["source"].Single(f => f.Urls[0].Contains("p0003", StringComparison.Ordinal)), "fetchzip",
            [$"{Base}/sf/p0003/p0003-1.3.0.zip", "http://127.0.0.3/sf/p0003/p0003-1.3.0.zip"]);
        AssertFod(byName["p0004-1.4.0.tar.bz2"].Single(), "builtin-fetchurl", [$"{Base}/core/p0004-1.4.0.tar.bz2"]);
        AssertFod(byName["p0005-1.5.0.tar.gz"].Single(), "fetchurl", [$"{Base}/crates/p0005-1.5.0.tar.gz"]);
        AssertFod(byName["p0005-1.5.0-vendor.tar.gz"].Single(), "cargo-vendor", []);
        AssertFod(byName["p0003-fix.patch"].Single(), "patch", [$"{Base}/patches/p0003-1.3.0.patch"]);
        AssertFod(byName["git-2.40.tar.xz"].Single(), "fetchurl", [$"{Base}/gnu/git/git-2.40.tar.xz", "http://127.0.0.2/gnu/git/git-2.40.tar.xz"]);
        AssertFod(byName["fod-root"].Single(), "git", [$"{Base}/git/root.git"]);
        Assert.All(fods, f => Assert.Equal(ExpectedFetcher(f.Name), f.Fetcher));

        // Twins: same name, hash and output path, different URLs; each reached by its own attribute.
        var twins = byName["twin.tar.gz"].OrderBy(t => t.Attrs[0], StringComparer.Ordinal).ToList();
        Assert.Equal(2, twins.Count);
        Assert.Single(twins.Select(t => (t.OutputPath, t.Hash)).Distinct());
        Assert.Equal([[$"{Base}/good/twin.tar.gz"], [$"{Base}/evil/twin.tar.gz"]], twins.Select(t => t.Urls));
        Assert.Equal([["twinA"], ["twinB"]], twins.Select(t => t.Attrs));

        // FODs that are inputs of FODs (a vendor tarball of its source; git's source under every fetchgit) are in.
        var fodInputs = s.Oracle.Fods.Keys.SelectMany(p => s.Oracle.Closure(s.Oracle.Drvs[p].InputDrvs)).Where(s.Oracle.Fods.ContainsKey).ToHashSet();
        Assert.Contains(fodInputs, p => p.EndsWith("-p0005-1.5.0.tar.gz.drv", StringComparison.Ordinal));
        Assert.Contains(fodInputs, p => p.EndsWith("-git-2.40.tar.xz.drv", StringComparison.Ordinal));
        Assert.Subset(fods.Select(f => f.DrvPath).ToHashSet(), fodInputs);

        // Attributes: the exact count of attributes reaching each FOD, computed here from Nix's graph;
        // all of them listed when few, the nearest (the package itself first) when many.
        var reach = s.Oracle.AttrsReaching();
        foreach (var f in fods)
        {
            var expected = reach[f.DrvPath];
            Assert.True(expected.Count == f.AttrCount, $"{f.Name}: {f.AttrCount} attributes stored, {expected.Count} reach it");
            if (expected.Count <= Vigil.Fod.Scanning.AttributeReach.MaxListed)
            {
                Assert.Equal(expected, f.Attrs.Order(StringComparer.Ordinal));
            }
            else
            {
                Assert.Equal(Vigil.Fod.Scanning.AttributeReach.MaxListed, f.Attrs.Distinct().Count());
                Assert.Subset(expected, f.Attrs.ToHashSet());
            }
        }
        var bootstrap = byName["bootstrap-tools.tar.xz"].Single();
        Assert.Equal(s.GoodAttrs.Count, bootstrap.AttrCount);
        // A package's own source is listed first under the package (or its alias: the same derivation).
        var rootOf = s.Oracle.Roots.ToDictionary(r => r.Attr, r => r.DrvPath, StringComparer.Ordinal);
        foreach (var (attr, drv) in s.Oracle.Roots.Where(r => PackagePattern().IsMatch(r.Attr)))
        {
            var src = s.Oracle.Drvs[drv].Env["src"];
            var own = fods.Single(f => f.OutputPath == src && s.Oracle.Drvs[drv].InputDrvs.Contains(f.DrvPath));
            Assert.Equal(drv, rootOf[own.Attrs[0]]);
            Assert.Contains(attr, own.Attrs);
        }
        Assert.Equal(["alias01", "p0001"], byName["p0001-1.1.0.tar.gz"].Single().Attrs.Take(2));
        Assert.Equal(["interp"], byName["only-in-a-string.txt"].Single().Attrs);
        Assert.Equal(fods.Count, scan.Revision.FodCount);
    }

    [Fact]
    public async Task Lists_that_repeat_a_path_an_attribute_or_a_name_keep_every_root_once()
    {
        Assert.SkipWhen(!NixAvailable, NoNix);
        var s = await sets.GetAsync("scan");
        using var work = new ScanWorkspace();

        // Several fetchzip sources are all called "source"; a path listed twice is one root.
        var sources = s.Oracle.Drvs.Keys.Where(p => p.EndsWith("-source.drv", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.True(sources.Count > 2);
        var list = work.NewPath("roots.txt");
        File.WriteAllLines(list, [.. s.Oracle.Roots.Select(r => r.DrvPath), .. sources, sources[0], s.Oracle.Roots[0].DrvPath]);
        var db = work.NewSqliteDb();
        var scan = await ScanCli.ScanAsync("--drvs", list, "--store", s.Oracle.StoreUri, "--db", db);
        Assert.Empty(scan.Errors);
        Assert.Equal(s.Oracle.AllFods(), (await ScanCli.FodsAsync(db)).Select(f => f.Render()));
        await using (var database = await VigilDatabase.OpenAsync(db))
        {
            var roots = await database.ListRootsAsync(scan.Revision.Id);
            Assert.Equal(s.Oracle.Roots.Select(r => r.DrvPath).Concat(sources).Distinct().Order(StringComparer.Ordinal), roots.Select(r => r.DrvPath).Order(StringComparer.Ordinal));
            Assert.Equal("source", roots.Single(r => r.DrvPath == sources[0]).Attr);
            Assert.All(sources.Skip(1), p => Assert.Equal(Path.GetFileName(p)[..^".drv".Length], roots.Single(r => r.DrvPath == p).Attr));
        }

        // nix-eval-jobs output concatenated twice, and an attribute given two different drvs.
        var jobs = WriteEvalJobs(s, work.NewPath("jobs.jsonl"));
        var twice = File.ReadAllLines(jobs);
        var (attr, drv) = s.Oracle.Roots[0];
        var other = s.Oracle.Roots[1].DrvPath;
        File.WriteAllLines(jobs, [.. twice, .. twice, JsonSerializer.Serialize(new { attr, drvPath = other })]);
        db = work.NewSqliteDb();
        scan = await ScanCli.ScanAsync("--jsonl", jobs, "--store", s.Oracle.StoreUri, "--db", db);
        Assert.Equal(s.Oracle.AllFods(), (await ScanCli.FodsAsync(db)).Select(f => f.Render()));
        var conflict = Assert.Single(scan.Errors, e => e.Attr == attr);
        Assert.Contains(drv, conflict.Message, StringComparison.Ordinal);
        Assert.Contains(other, conflict.Message, StringComparison.Ordinal);
        Assert.Equal(s.Oracle.Roots.Count, scan.Revision.RootCount);
    }

    /// <summary>The fields <c>vigil fods --json</c> promises, read without the test's own record type.</summary>
    private static void AssertRecordShape(byte[] json)
    {
        using var doc = JsonDocument.Parse(json);
        Assert.NotEqual(0, doc.RootElement.GetArrayLength());
        foreach (var f in doc.RootElement.EnumerateArray())
        {
            foreach (var key in new[] { "drvPath", "outputPath", "name", "hashAlgo", "hashMode", "hash", "fetcher" })
            {
                Assert.Equal(JsonValueKind.String, f.GetProperty(key).ValueKind);
            }
            Assert.Matches(@"^/nix/store/[0-9a-z]{32}-.+\.drv$", f.GetProperty("drvPath").GetString());
            Assert.Matches(@"^/nix/store/[0-9a-z]{32}-.+$", f.GetProperty("outputPath").GetString());
            Assert.Contains(f.GetProperty("hashMode").GetString(), new[] { "flat", "recursive" });
            Assert.Matches("^sha256-[A-Za-z0-9+/]{43}=$", f.GetProperty("hash").GetString());
            Assert.Equal("sha256", f.GetProperty("hashAlgo").GetString());
            Assert.All(f.GetProperty("urls").EnumerateArray(), u => Assert.Equal(JsonValueKind.String, u.ValueKind));
            Assert.All(f.GetProperty("attrs").EnumerateArray(), a => Assert.Equal(JsonValueKind.String, a.ValueKind));
        }
    }

    private static void AssertFod(ScanCli.Fod fod, string fetcher, string[] urls)
    {
        Assert.Equal(fetcher, fod.Fetcher);
        Assert.Equal(urls, fod.Urls);
    }

    /// <summary>The fetcher each FOD of <see cref="ScanPackageSet"/> is made with, by the name it gives its FODs.</summary>
    private static string ExpectedFetcher(string name) => name switch
    {
        "source" => "fetchzip",
        "fod-root" => "git",
        _ when name.EndsWith("-src", StringComparison.Ordinal) => "git",
        _ when name.EndsWith("-vendor.tar.gz", StringComparison.Ordinal) => "cargo-vendor",
        _ when name.EndsWith(".patch", StringComparison.Ordinal) => "patch",
        _ when name.EndsWith(".tar.bz2", StringComparison.Ordinal) => "builtin-fetchurl",
        "bootstrap-tools.tar.xz" or "curl-8.0.tar.gz" or "only-in-a-string.txt" => "builtin-fetchurl",
        "twin.tar.gz" or "git-2.40.tar.xz" => "fetchurl",
        _ => PackageIndex(name) % 6 == 0 ? "builtin-fetchurl" : "fetchurl",
    };

    private static int PackageIndex(string name) => int.Parse(name.AsSpan(1, 4), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Everything a record says about what is fetched, attributes aside.</summary>
    private static string Describe(ScanCli.Fod f) =>
        $"{f.Render()} {f.Name} {f.OriginalHash} {f.Fetcher} [{string.Join(' ', f.Urls)}] {f.Rev} {f.RecipeHash}";

    /// <summary>A <c>nix-eval-jobs</c> output for the set: one line per attribute, errors as error lines.</summary>
    private static string WriteEvalJobs(PackageSetCase s, string path)
    {
        var lines = s.Oracle.Roots.Select(r => JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["attr"] = r.Attr,
            ["attrPath"] = r.Attr.Split('.'),
            ["drvPath"] = r.DrvPath,
            ["name"] = DrvName(r.DrvPath),
            ["system"] = "x86_64-linux",
        })).Concat(s.Failures.Select(f => JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["attr"] = f.Key,
            ["attrPath"] = f.Key.Split('.'),
            ["error"] = $"error: {f.Value}",
        })));
        File.WriteAllLines(path, lines);
        return path;
    }

    private static string DrvName(string drvPath) => Path.GetFileName(drvPath)[33..^".drv".Length];

    [GeneratedRegex("^p[0-9]{4}$")]
    private static partial Regex PackagePattern();
}
