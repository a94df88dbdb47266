using System.Text;
using Vigil.Nix.Derivations;
using Vigil.Nix.StorePaths;

namespace Vigil.Nix.Tests.Derivations;

/// <summary>
/// Found by the Nix oracle suite: a <c>drvPath</c> string in the environment puts the input
/// derivation both in inputDrvs and in inputSrcs. Nix's references are a set, so the path counts
/// once in the <c>.drv</c> path's fingerprint; listing it twice gave a different path.
/// Vectors from Nix 2.8 (<c>p = a.drvPath</c>).
/// </summary>
public sealed class DrvPathReferencesRegressionTests
{
    private const string InputDrv = "/nix/store/7g5giqf764p3y3zv7a8rqsy9sqqq5kw4-a.drv";

    private const string InputAterm =
        """Derive([("out","/nix/store/f37kxm5wf98b2s839zaiybv38zil0s40-a","","")],[],[],"x86_64-linux","/bin/sh",[],[("builder","/bin/sh"),("name","a"),("out","/nix/store/f37kxm5wf98b2s839zaiybv38zil0s40-a"),("system","x86_64-linux")])""";

    private const string Aterm =
        """Derive([("out","/nix/store/1d2ql3vph7lxj320jvzr2ac14yw612dp-uses-drvpath","","")],[("/nix/store/7g5giqf764p3y3zv7a8rqsy9sqqq5kw4-a.drv",["out"])],["/nix/store/7g5giqf764p3y3zv7a8rqsy9sqqq5kw4-a.drv"],"x86_64-linux","/bin/sh",[],[("builder","/bin/sh"),("name","uses-drvpath"),("out","/nix/store/1d2ql3vph7lxj320jvzr2ac14yw612dp-uses-drvpath"),("p","/nix/store/7g5giqf764p3y3zv7a8rqsy9sqqq5kw4-a.drv"),("system","x86_64-linux")])""";

    [Fact]
    public void A_path_in_both_inputDrvs_and_inputSrcs_is_one_reference()
    {
        var bytes = Encoding.UTF8.GetBytes(Aterm);
        var drv = ATermReader.Parse(bytes, "uses-drvpath");

        Assert.Equal([InputDrv], drv.References);
        Assert.Equal(
            "/nix/store/02zdyds1zk16jgihiha7h8gnglnpbxdf-uses-drvpath.drv",
            StoreDir.Default.Print(DerivationPaths.DrvPath(drv, bytes, StoreDir.Default)));
    }

    [Fact]
    public void Its_output_path_still_follows_from_the_input_modulo_hash()
    {
        var drv = ATermReader.Parse(Encoding.UTF8.GetBytes(Aterm), "uses-drvpath");
        var input = ATermReader.Parse(Encoding.UTF8.GetBytes(InputAterm), "a");
        var hasher = new DerivationHasher(path => path == InputDrv ? input : throw new InvalidOperationException(path));

        var output = Assert.Single(DerivationPaths.ExpectedOutputs(drv, hasher, StoreDir.Default));

        Assert.Equal("/nix/store/1d2ql3vph7lxj320jvzr2ac14yw612dp-uses-drvpath", output.Path);
    }
}
