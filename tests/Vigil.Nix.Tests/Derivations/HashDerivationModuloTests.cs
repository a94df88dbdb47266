using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Vigil.Nix.Derivations;
using Vigil.Nix.StorePaths;
using Vigil.Nix.Tests.Support;

namespace Vigil.Nix.Tests.Derivations;

/// <summary>docs/nix-formats.md §3.6, §4 and §6.1: hashDerivationModulo and the paths built on it.</summary>
public sealed class HashDerivationModuloTests
{
    private const string IaDemo = "pqg0j3yl7jhcyfxd70f9dk4lfi5khz1z-ia-demo.drv";
    private const string Ia2 = "6al9kc519kfrzm3wd7jlibd977p7xihw-ia2.drv";
    private const string UsesBoth = "rgg6bwbv570i9bhp5xkp64ny5sl59dr2-uses-both.drv";
    private const string FodHello = "9c3342d8e63f9423f209c777d9b7e8d3510b3c836f838d394ec708e63cea8202";

    private static readonly StoreDir Store = StoreDir.Default;

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    private static string Sha256Hex(string text) => Hex(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>The bytes hashDerivationModulo hashes: inputs replaced (and merged), optionally masked.</summary>
    private static string ModuloATerm(Derivation drv, DerivationHasher hasher, bool mask)
    {
        var merged = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var input in drv.InputDerivations)
        {
            var key = Hex(hasher.HashModulo(input.Path));
            if (!merged.TryGetValue(key, out var outputs))
            {
                merged[key] = outputs = new SortedSet<string>(StringComparer.Ordinal);
            }
            outputs.UnionWith(input.Outputs);
        }
        var buffer = new ArrayBufferWriter<byte>();
        ATermWriter.Write(drv, buffer, merged.Select(m => KeyValuePair.Create(m.Key, (IReadOnlyCollection<string>)m.Value)).ToList(), mask);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Theory]
    [InlineData("12rzprcibava5z9qh3bj23508c4a7gmb-hello.txt.drv", FodHello)]
    [InlineData("m6pp4dnyv0yzwwq78yb349mmzxdchsvh-hello.txt.drv", FodHello)]
    [InlineData("fv0zwh665dzv6i9jixxrpfsbqm2y8zng-hello-rec.drv", "eb2060393ffd595a0ccbadb98a67a5f5862e00eec729e71a39479a3e96b25ec6")]
    [InlineData("dm2z2ym9ac9y329453xhgyzh2qpkklm8-hello-rec-sha1.drv", "e321510cebaba135573f32ab282e60c38747c7f1aad9dc45d881c7b927845184")]
    [InlineData("0hm2f1psjpcwg8fijsmr4wwxrx59s092-bar.drv", "724f3e3634fce4cbbbd3483287b8798588e80280660b9a63fd13a1bc90485b33")]
    public void Fixed_output_modulo_ignores_the_recipe(string file, string expected)
    {
        var drv = Fixtures.Parse(file);
        var hasher = Fixtures.Hasher();
        Assert.Equal(expected, Hex(hasher.HashModulo(drv, mask: true)));
        Assert.Equal(expected, Hex(hasher.HashModulo(drv, mask: false)));
        Assert.Equal(expected, Hex(hasher.HashModulo("/nix/store/" + file)));
        Assert.Equal(expected, Hex(DerivationHasher.FixedOutputHash(drv, StoreDir.Default)));
    }

    [Fact]
    public void Fixed_output_modulo_string_ends_with_the_path_and_no_colon()
    {
        Assert.Equal(FodHello, Sha256Hex("fixed:out:sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824:/nix/store/iixxin28s82lrxs8v4lcf7nha2dkwprm-hello.txt"));
    }

    [Fact]
    public void Ia_demo_masked_ATerm_hash_and_output_paths()
    {
        var drv = Fixtures.Parse(IaDemo);
        var hasher = Fixtures.Hasher();
        Assert.Equal(
            """Derive([("dev","","",""),("out","","","")],[("9c3342d8e63f9423f209c777d9b7e8d3510b3c836f838d394ec708e63cea8202",["out"])],[],"x86_64-linux","/bin/sh",["-c","cat /nix/store/iixxin28s82lrxs8v4lcf7nha2dkwprm-hello.txt > $out; echo dev > $dev"],[("builder","/bin/sh"),("dev",""),("name","ia-demo"),("out",""),("outputs","out dev"),("system","x86_64-linux"),("weird","quote\" backslash\\ nl\n cr\r tab\t dollar$ end")])""",
            ModuloATerm(drv, hasher, mask: true));
        var masked = hasher.HashModulo(drv, mask: true);
        Assert.Equal("48fed81e248ee52346fd4fafbc3e33eb0ee0a6f4ddca8c379d9103b92a7058d9", Hex(masked));

        Assert.Equal("8e6b9692138f473216253da31d68a0db6d97b0284c2c6c4692d2592b9e9737d4", Sha256Hex($"output:out:sha256:{Hex(masked)}:/nix/store:ia-demo"));
        Assert.Equal("e26801206419c3f7c2ccc232ef37cd289862ad7214ebdb85d635cc2611dd8629", Sha256Hex($"output:dev:sha256:{Hex(masked)}:/nix/store:ia-demo-dev"));
        Assert.Equal("52q9fvfvl1l1sxqana41j7jxh7agliy2-ia-demo", Store.MakeOutputPath("out", masked, "ia-demo").BaseName);
        Assert.Equal("fann5618rlvyy6s4279x23rcnajxm0zn-ia-demo-dev", Store.MakeOutputPath("dev", masked, "ia-demo").BaseName);
    }

    [Fact]
    public void Ia_demo_unmasked_modulo_is_what_dependents_see()
    {
        var hasher = Fixtures.Hasher();
        Assert.Equal("7a20a43cac9c526d8ad099b9002251354e2762c344f926e6660c6bd116330a52", Hex(hasher.HashModulo(Fixtures.Parse(IaDemo), mask: false)));
        Assert.Equal("7a20a43cac9c526d8ad099b9002251354e2762c344f926e6660c6bd116330a52", Hex(hasher.HashModulo("/nix/store/" + IaDemo)));
    }

    [Fact]
    public void Ia2_masked_ATerm_output_and_drv_path()
    {
        var drv = Fixtures.Parse(Ia2);
        var hasher = Fixtures.Hasher();
        Assert.Equal(
            """Derive([("out","","","")],[("7a20a43cac9c526d8ad099b9002251354e2762c344f926e6660c6bd116330a52",["dev"])],[],"x86_64-linux","/bin/sh",["-c","cat /nix/store/fann5618rlvyy6s4279x23rcnajxm0zn-ia-demo-dev/x > $out"],[("builder","/bin/sh"),("name","ia2"),("out",""),("system","x86_64-linux")])""",
            ModuloATerm(drv, hasher, mask: true));
        var masked = hasher.HashModulo(drv, mask: true);
        Assert.Equal("58d9a740a1f40f38095f4ca10c972741d364bdbce6bbf24b3cb56baca45c1545", Hex(masked));
        Assert.Equal("/nix/store/qkgmbrfgs1bgv2qss6kw8mcccqmr59f2-ia2", Store.Print(Store.MakeOutputPath("out", masked, "ia2")));
        Assert.Equal(Ia2, DerivationPaths.DrvPath(drv, Fixtures.Read(Ia2), Store).BaseName);
    }

    [Fact]
    public void Ia_demo_drv_path_fingerprint()
    {
        var bytes = Fixtures.Read(IaDemo);
        Assert.Equal("193d6c706b9acfb8a59325f8cb1bdb2c0701a95678db750e406b0bfd39fcde34", Hex(SHA256.HashData(bytes)));
        Assert.Equal("04f0c6f0c5591fb753a3491fcfa03cd40f091ebe3b8cfebbb1cdd3214f9be424",
            Sha256Hex("text:/nix/store/12rzprcibava5z9qh3bj23508c4a7gmb-hello.txt.drv:sha256:193d6c706b9acfb8a59325f8cb1bdb2c0701a95678db750e406b0bfd39fcde34:/nix/store:ia-demo.drv"));
        Assert.Equal("/nix/store/" + IaDemo, Store.Print(DerivationPaths.DrvPath(Fixtures.Parse(IaDemo), bytes, Store)));
    }

    [Fact]
    public void Fixed_output_provenance_is_invisible_to_dependents()
    {
        const string iaOnSri = "q0vglan4z0iik67ar20hqp063gfk1kg1-ia-demo.drv";
        var a = Fixtures.Parse(IaDemo);
        var b = Fixtures.Parse(iaOnSri);
        Assert.NotEqual(a.InputDerivations[0].Path, b.InputDerivations[0].Path);
        Assert.Equal(a.Outputs.Select(o => o.Path), b.Outputs.Select(o => o.Path));
        var hasher = Fixtures.Hasher();
        Assert.Equal(hasher.HashModulo(a, mask: true), hasher.HashModulo(b, mask: true));
        Assert.Equal(iaOnSri, DerivationPaths.DrvPath(b, Fixtures.Read(iaOnSri), Store).BaseName);
    }

    [Fact]
    public void Uses_both_merges_inputs_with_equal_modulo_hashes()
    {
        var bytes = Fixtures.Read(UsesBoth);
        var drv = Fixtures.Parse(UsesBoth);
        Assert.Equal(2, drv.InputDerivations.Count);
        Assert.Equal(UsesBoth, DerivationPaths.DrvPath(drv, bytes, Store).BaseName);

        var hasher = Fixtures.Hasher();
        Assert.Equal(
            """Derive([("out","","","")],[("9c3342d8e63f9423f209c777d9b7e8d3510b3c836f838d394ec708e63cea8202",["out"])],[],"x86_64-linux","/bin/sh",["-c","cat /nix/store/iixxin28s82lrxs8v4lcf7nha2dkwprm-hello.txt /nix/store/iixxin28s82lrxs8v4lcf7nha2dkwprm-hello.txt > $out"],[("builder","/bin/sh"),("name","uses-both"),("out",""),("system","x86_64-linux")])""",
            ModuloATerm(drv, hasher, mask: true));
        var masked = hasher.HashModulo(drv, mask: true);
        Assert.Equal("c1602075d037c450ac850d23ebeb6df946050e9f0a671c254e7f0b0fb8eae3f5", Hex(masked));
        Assert.Equal("/nix/store/z9j9bf1nz9lsqlq9afncxv76w5f5fnvg-uses-both", Store.Print(Store.MakeOutputPath("out", masked, "uses-both")));
        Assert.Equal("/nix/store/z9j9bf1nz9lsqlq9afncxv76w5f5fnvg-uses-both", DerivationPaths.ExpectedOutputs(drv, hasher, Store)[0].Path);
    }

    [Fact]
    public void Uses_both_with_duplicate_entries_gives_the_wrong_path()
    {
        // What TVIX and go-nix effectively do (one entry per input, or overwrite): not Nix.
        var drv = Fixtures.Parse(UsesBoth);
        var outputs = new SortedSet<string>(StringComparer.Ordinal) { "out" };
        var buffer = new ArrayBufferWriter<byte>();
        ATermWriter.Write(drv, buffer, [new(FodHello, outputs), new(FodHello, outputs)], mask: true);
        var wrong = SHA256.HashData(buffer.WrittenSpan);
        Assert.Equal("/nix/store/sxd0kda00a1jgbsf5xvr81fhnsv4lirl-uses-both", Store.Print(Store.MakeOutputPath("out", wrong, "uses-both")));
    }

    [Fact]
    public void Foo_depends_on_fixed_output_bar()
    {
        var drv = Fixtures.Parse("4wvvbi4jwn0prsdxb7vs673qa5h9gr7x-foo.drv");
        var hasher = Fixtures.Hasher();
        Assert.Contains("(\"724f3e3634fce4cbbbd3483287b8798588e80280660b9a63fd13a1bc90485b33\",[\"out\"])", ModuloATerm(drv, hasher, mask: true), StringComparison.Ordinal);
        Assert.Equal("/nix/store/5vyvcwah9l9kf07d52rcgdk70g2f4y13-foo", DerivationPaths.ExpectedOutputs(drv, hasher, Store)[0].Path);
    }

    [Fact]
    public void Realisation_id_of_a_floating_output()
    {
        var hasher = Fixtures.Hasher();
        var caA = Fixtures.Parse("1hjd7319dg1vaxa8pd8y6w2ks7s0zqjm-ca-a.drv");
        Assert.Equal("sha256:163df6fb194f70e53e89189e4ef813dc3ab1544a9eca378c1d6689514baaedd6!out", "sha256:" + Hex(hasher.HashModulo(caA, mask: true)) + "!out");
        // Unmasked (what a dependent sees) hashes the file as written: no inputs to replace.
        Assert.Equal(Hex(SHA256.HashData(Fixtures.Read("1hjd7319dg1vaxa8pd8y6w2ks7s0zqjm-ca-a.drv"))), Hex(hasher.HashModulo(caA, mask: false)));
    }

    [Fact]
    public void Hashing_in_dependency_order_from_the_inputs_hashes_agrees_with_the_memoising_hasher()
    {
        // What drv check does: each derivation hashed once, from its inputs' unmasked hashes
        // (merge case, fixed outputs, impure, multi-output, deferred among the fixtures).
        var hasher = Fixtures.Hasher();
        foreach (var file in Fixtures.DrvFiles)
        {
            var drv = Fixtures.Parse(file);
            var inputs = drv.InputDerivations.Select(i => hasher.HashModulo(i.Path)).ToList();
            var (unmasked, masked) = DerivationHasher.HashModulo(drv, inputs, Store);
            Assert.Equal(Hex(hasher.HashModulo("/nix/store/" + file)), Hex(unmasked));
            Assert.Equal(Hex(hasher.HashModulo(drv, mask: true)), Hex(masked));
            Assert.Equal(DerivationPaths.ExpectedOutputs(drv, hasher, Store), DerivationPaths.ExpectedOutputs(drv, masked, Store));
        }
        Assert.Throws<ArgumentException>(() => DerivationHasher.HashModulo(Fixtures.Parse(UsesBoth), [], Store));
    }

    [Fact]
    public void Impure_modulo_is_the_hash_of_impure()
    {
        var drv = Fixtures.Parse("ck0hzf9000w6si9pv4dhams9b8ndvgl1-impure-x.drv");
        var hasher = Fixtures.Hasher();
        Assert.Equal(SHA256.HashData("impure"u8), hasher.HashModulo(drv, mask: true));
        Assert.Equal(SHA256.HashData("impure"u8), hasher.HashModulo("/nix/store/ck0hzf9000w6si9pv4dhams9b8ndvgl1-impure-x.drv"));
    }

    [Fact]
    public void Deferred_output_has_no_path_and_uses_the_upstream_placeholder()
    {
        var drv = Fixtures.Parse("ijbz4vmaylwkvflnqr9z61qa39zxmxhp-deferred-ia.drv");
        var expected = Assert.Single(DerivationPaths.ExpectedOutputs(drv, Fixtures.Hasher(), Store));
        Assert.Equal(("out", "", ""), (expected.Name, expected.Path, expected.EnvValue));
        var placeholder = Placeholders.ForUpstreamOutput(Store.Parse("/nix/store/1hjd7319dg1vaxa8pd8y6w2ks7s0zqjm-ca-a.drv"), "out");
        Assert.Equal("cat " + placeholder + " > $out", Encoding.UTF8.GetString(drv.Args[1]));
    }

    [Fact]
    public void Hasher_memoises_each_input_once()
    {
        var loads = 0;
        var hasher = new DerivationHasher(p =>
        {
            loads++;
            return Fixtures.Load(p);
        });
        hasher.HashModulo(Fixtures.Parse(Ia2), mask: true);
        hasher.HashModulo(Fixtures.Parse(Ia2), mask: false);
        hasher.HashModulo("/nix/store/" + IaDemo);
        Assert.Equal(2, loads); // ia-demo and hello.txt
        Assert.Equal(2, hasher.CachedCount);
    }

    [Fact]
    public void Cycles_are_reported_not_followed()
    {
        var drv = Fixtures.Parse("4wvvbi4jwn0prsdxb7vs673qa5h9gr7x-foo.drv");
        // A loader that answers every path with foo itself: foo -> "bar" (foo) -> …
        var hasher = new DerivationHasher(_ => drv);
        var e = Assert.Throws<NixFormatException>(() => hasher.HashModulo(drv, mask: true));
        Assert.Contains("cycle", e.Message, StringComparison.Ordinal);
    }
}
