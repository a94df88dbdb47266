using Vigil.Farm.Graph;
using Vigil.Farm.Tests.Support;
using Vigil.Store;
using Vigil.Store.Provenance;

namespace Vigil.Farm.Tests;

/// <summary>The closure walk on real derivations in a chroot store, cut off at outputs really built there.</summary>
public sealed class RealNixCutoffTests : IDisposable
{
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("vigil-farm-nix-");

    private const string Expression = """
        let mk = name: deps: extra: derivation ({
              inherit name; system = builtins.currentSystem; builder = "/bin/sh";
              args = [ "-c" "echo ${name} ${toString deps} > $out" ];
            } // extra);
            a = mk "a" [] {};
            b = mk "b" [ a ] {};
            c = mk "c" [ b ] { requiredSystemFeatures = [ "kvm" "big-parallel" ]; };
            d = mk "d" [ a ] {};
        in { inherit a b c d; }
        """;

    [Fact]
    public async Task Steps_of_a_real_closure_stop_at_outputs_built_in_the_store()
    {
        Assert.SkipWhen(!await TestProcesses.CanRunAsync("nix-instantiate", "--version"), "nix is not installed");
        var store = Path.Combine(dir.FullName, "store");
        var file = Path.Combine(dir.FullName, "set.nix");
        await File.WriteAllTextAsync(file, Expression, TestContext.Current.CancellationToken);
        var drvs = new Dictionary<string, string>();
        foreach (var attr in new[] { "a", "b", "c", "d" })
        {
            drvs[attr] = (await TestProcesses.RunAsync(store, "nix-instantiate", file, "-A", attr)).Trim();
        }
        // Build b (and with it a) in the chroot store.
        await TestProcesses.RunAsync(store, "nix-store", "--realise", drvs["b"], "--option", "sandbox-paths", "/bin /usr /lib /lib64");

        var location = StoreLocation.Parse($"local?root={store}");
        var expander = new StepExpander(new StoreDrvSource(new DerivationReader(location)),
            new StoreOutputOracle(new LocalStoreOrigins(location)), null, new Dictionary<string, StepMark>());

        var c = await expander.ExpandAsync(drvs["c"], TestContext.Current.CancellationToken);
        var node = Assert.Single(c.Nodes);
        Assert.Equal(drvs["c"], node.Path);
        Assert.Equal(["big-parallel", "kvm"], node.RequiredFeatures);
        Assert.Equal([drvs["b"]], node.InputDrvs);
        Assert.Matches("^(x86_64|aarch64)-linux$", node.System);

        var d = await expander.ExpandAsync(drvs["d"], TestContext.Current.CancellationToken);
        Assert.Equal([drvs["d"]], d.Nodes.Select(n => n.Path));
        Assert.True((await expander.ExpandAsync(drvs["b"], TestContext.Current.CancellationToken)).AllPresent);

        // A second store where nothing is built: the whole chain is to be built.
        var none = new StepExpander(new StoreDrvSource(new DerivationReader(location)), FixedOutputOracle.None, null, new Dictionary<string, StepMark>());
        var all = await none.ExpandAsync(drvs["c"], TestContext.Current.CancellationToken);
        Assert.Equal(new[] { drvs["a"], drvs["b"], drvs["c"] }.Order(), all.Nodes.Select(n => n.Path).Order());
    }

    public void Dispose()
    {
        try
        {
            dir.Delete(recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A temp directory left behind is harmless.
        }
    }
}
