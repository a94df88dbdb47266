using static Vigil.E2E.Tests.Evaluation.NixTestEnvironment;

namespace Vigil.E2E.Tests.Scanning;

/// <summary>Rescans read only the derivations the database does not hold yet.</summary>
public sealed class IncrementalScanTests
{
    private const int Packages = 200;

    [Fact]
    public async Task A_rescan_reads_nothing_and_an_update_of_one_percent_reads_only_the_new_drvs()
    {
        Assert.SkipWhen(!NixAvailable, "nix is not installed");
        using var work = new ScanWorkspace();
        var file = ScanPackageSet.Write(work.Root);
        var storeRoot = work.NewStoreRoot();
        var store = StoreUri(storeRoot);
        var db = work.NewSqliteDb();
        var n = new Dictionary<string, string> { ["n"] = $"{Packages}" };
        var bumped = new Dictionary<string, string> { ["n"] = $"{Packages}", ["bump"] = "7 100" };

        var first = await ScanCli.ScanAsync(file, "--argstr", $"n={Packages}", "--store", store, "--db", db, "--revision", "r1");
        var before = await NixOracle.InstantiateAsync(storeRoot, file, ScanPackageSet.GoodAttrs(Packages), n);
        var closure = before.Closure(before.Roots.Select(r => r.DrvPath));
        Assert.Equal(closure.Count, first.DrvsRead);
        Assert.Equal(0, first.DrvsKnown);
        Assert.Equal(before.AllFods(), (await ScanCli.FodsAsync(db)).Select(f => f.Render()));

        var again = await ScanCli.ScanAsync(file, "--argstr", $"n={Packages}", "--store", store, "--db", db, "--revision", "r2");
        Assert.Equal(0, again.DrvsRead);
        Assert.Equal(closure.Count, again.DrvsKnown);
        Assert.Equal(await ScanCli.FodsJsonAsync(db, "r1"), await ScanCli.FodsJsonAsync(db, "r2"));

        // Two packages of 200 get a new version: new sources, new packages, and new versions of
        // everything that depends on them.
        var update = await ScanCli.ScanAsync(file, "--argstr", $"n={Packages}", "--argstr", "bump=7 100", "--store", store, "--db", db, "--revision", "r3");
        var after = await NixOracle.InstantiateAsync(storeRoot, file, ScanPackageSet.GoodAttrs(Packages), bumped);
        var newDrvs = after.Closure(after.Roots.Select(r => r.DrvPath)).Except(closure).Count();
        Assert.Equal(newDrvs, update.DrvsRead);
        Assert.InRange(update.DrvsRead, 1, closure.Count / 10);
        Assert.Equal(after.AllFods(), (await ScanCli.FodsAsync(db, "r3")).Select(f => f.Render()));
        Assert.Equal(before.AllFods(), (await ScanCli.FodsAsync(db, "r1")).Select(f => f.Render()));
        Assert.NotEqual(before.AllFods(), after.AllFods());
    }
}
