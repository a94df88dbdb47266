using System.Text;
using Vigil.Nix.Derivations;
using Vigil.Nix.StorePaths;

namespace Vigil.Nix.Tests.Derivations;

/// <summary>
/// Found by the Nix oracle suite: Nix 2.8 keeps no path for a fixed output when it parses a
/// <c>.drv</c> (it recomputes it from method, hash and name), so <c>hashDerivationModulo</c> of an
/// FOD whose stated path was edited is unchanged, and so are its dependents' output paths.
/// Vigil hashed the stated path and reported every dependent as wrong. Vectors: docs/nix-formats.md §3.4, §4.5.
/// </summary>
public sealed class FixedOutputModuloRegressionTests
{
    private const string FodPath = "/nix/store/12rzprcibava5z9qh3bj23508c4a7gmb-hello.txt.drv";

    private const string Fod =
        """Derive([("out","/nix/store/iixxin28s82lrxs8v4lcf7nha2dkwprm-hello.txt","sha256","2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")],[],[],"x86_64-linux","/bin/sh",["-c","printf hello > $out"],[("builder","/bin/sh"),("name","hello.txt"),("out","/nix/store/iixxin28s82lrxs8v4lcf7nha2dkwprm-hello.txt"),("outputHash","2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"),("outputHashAlgo","sha256"),("outputHashMode","flat"),("system","x86_64-linux")])""";

    private const string Dependent =
        """Derive([("dev","/nix/store/fann5618rlvyy6s4279x23rcnajxm0zn-ia-demo-dev","",""),("out","/nix/store/52q9fvfvl1l1sxqana41j7jxh7agliy2-ia-demo","","")],[("/nix/store/12rzprcibava5z9qh3bj23508c4a7gmb-hello.txt.drv",["out"])],[],"x86_64-linux","/bin/sh",["-c","cat /nix/store/iixxin28s82lrxs8v4lcf7nha2dkwprm-hello.txt > $out; echo dev > $dev"],[("builder","/bin/sh"),("dev","/nix/store/fann5618rlvyy6s4279x23rcnajxm0zn-ia-demo-dev"),("name","ia-demo"),("out","/nix/store/52q9fvfvl1l1sxqana41j7jxh7agliy2-ia-demo"),("outputs","out dev"),("system","x86_64-linux"),("weird","quote\" backslash\\ nl\n cr\r tab\t dollar$ end")])""";

    [Theory]
    [InlineData("iixxin28s82lrxs8v4lcf7nha2dkwprm")]
    [InlineData("00000000000000000000000000000000")]
    public void Modulo_hash_of_an_fod_uses_the_computed_output_path(string statedHashPart)
    {
        var fod = Parse(Fod.Replace("iixxin28s82lrxs8v4lcf7nha2dkwprm", statedHashPart, StringComparison.Ordinal), "hello.txt");

        var modulo = new DerivationHasher(_ => throw new InvalidOperationException()).HashModulo(fod, mask: true);

        Assert.Equal("9c3342d8e63f9423f209c777d9b7e8d3510b3c836f838d394ec708e63cea8202", Convert.ToHexStringLower(modulo));
    }

    [Fact]
    public void Dependents_of_an_fod_with_an_edited_path_keep_their_output_paths()
    {
        var fod = Parse(Fod.Replace("iixxin28s82lrxs8v4lcf7nha2dkwprm", "00000000000000000000000000000000", StringComparison.Ordinal), "hello.txt");
        var dependent = Parse(Dependent, "ia-demo");
        var hasher = new DerivationHasher(path => path == FodPath ? fod : throw new InvalidOperationException(path), StoreDir.Default);

        var outputs = DerivationPaths.ExpectedOutputs(dependent, hasher, StoreDir.Default);

        Assert.Equal(
            ["/nix/store/fann5618rlvyy6s4279x23rcnajxm0zn-ia-demo-dev", "/nix/store/52q9fvfvl1l1sxqana41j7jxh7agliy2-ia-demo"],
            outputs.Select(o => o.Path));
    }

    private static Derivation Parse(string aterm, string name) => ATermReader.Parse(Encoding.UTF8.GetBytes(aterm), name);
}
