using System.Text;
using Vigil.Nix.Derivations;
using Vigil.Nix.Hashing;
using Vigil.Nix.StorePaths;
using Vigil.Nix.Tests.Support;

namespace Vigil.Nix.Tests.Derivations;

/// <summary>
/// Every .drv fixture (bytes Nix 2.8 wrote) parses, writes back to identical bytes, and yields its
/// own store path and output paths; the ATerm examples of docs/nix-formats.md §3.4 are those bytes.
/// </summary>
public sealed class ATermFixtureTests
{
    public static TheoryData<string> DrvFiles => new(Fixtures.DrvFiles);

    [Theory]
    [MemberData(nameof(DrvFiles))]
    public void Parse_then_write_gives_identical_bytes(string file)
    {
        var bytes = Fixtures.Read(file);
        var drv = ATermReader.Parse(bytes, ATermReader.NameFromPath(file));
        Assert.Equal(bytes, ATermWriter.Write(drv));
    }

    [Theory]
    [MemberData(nameof(DrvFiles))]
    public void Drv_path_is_the_file_name(string file)
    {
        var bytes = Fixtures.Read(file);
        var drv = Fixtures.Parse(file);
        Assert.Equal(file, DerivationPaths.DrvPath(drv, bytes, StoreDir.Default).BaseName);
    }

    [Theory]
    [MemberData(nameof(DrvFiles))]
    public void Output_paths_and_env_entries_are_what_Nix_computed(string file)
    {
        var drv = Fixtures.Parse(file);
        var expected = DerivationPaths.ExpectedOutputs(drv, Fixtures.Hasher(), StoreDir.Default);
        Assert.Equal(drv.Outputs.Count, expected.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(drv.Outputs[i].Name, expected[i].Name);
            Assert.Equal(drv.Outputs[i].Path, expected[i].Path);
            Assert.Equal(expected[i].EnvValue, drv.GetEnvString(expected[i].Name));
        }
    }

    /// <summary>The verbatim ATerms of §3.4 and §4.5 (file name, text).</summary>
    public static TheoryData<string, string> DocumentedATerms => new()
    {
        {
            "12rzprcibava5z9qh3bj23508c4a7gmb-hello.txt.drv",
            """Derive([("out","/nix/store/iixxin28s82lrxs8v4lcf7nha2dkwprm-hello.txt","sha256","2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")],[],[],"x86_64-linux","/bin/sh",["-c","printf hello > $out"],[("builder","/bin/sh"),("name","hello.txt"),("out","/nix/store/iixxin28s82lrxs8v4lcf7nha2dkwprm-hello.txt"),("outputHash","2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"),("outputHashAlgo","sha256"),("outputHashMode","flat"),("system","x86_64-linux")])"""
        },
        {
            "fv0zwh665dzv6i9jixxrpfsbqm2y8zng-hello-rec.drv",
            """Derive([("out","/nix/store/hk1wf5jbrzxz5q6pywly3vnyx7w0y769-hello-rec","r:sha256","0a430879c266f8b57f4092a0f935cf3facd48bbccde5760d4748ca405171e969")],[],[],"x86_64-linux","/bin/sh",["-c","printf hello > $out"],[("builder","/bin/sh"),("name","hello-rec"),("out","/nix/store/hk1wf5jbrzxz5q6pywly3vnyx7w0y769-hello-rec"),("outputHash","sha256:0sg9f58l1jj88w6pdrfdpj5x9b1zrwszk84j81zvby36q9whhhqa"),("outputHashAlgo","sha256"),("outputHashMode","recursive"),("system","x86_64-linux")])"""
        },
        {
            "pqg0j3yl7jhcyfxd70f9dk4lfi5khz1z-ia-demo.drv",
            """Derive([("dev","/nix/store/fann5618rlvyy6s4279x23rcnajxm0zn-ia-demo-dev","",""),("out","/nix/store/52q9fvfvl1l1sxqana41j7jxh7agliy2-ia-demo","","")],[("/nix/store/12rzprcibava5z9qh3bj23508c4a7gmb-hello.txt.drv",["out"])],[],"x86_64-linux","/bin/sh",["-c","cat /nix/store/iixxin28s82lrxs8v4lcf7nha2dkwprm-hello.txt > $out; echo dev > $dev"],[("builder","/bin/sh"),("dev","/nix/store/fann5618rlvyy6s4279x23rcnajxm0zn-ia-demo-dev"),("name","ia-demo"),("out","/nix/store/52q9fvfvl1l1sxqana41j7jxh7agliy2-ia-demo"),("outputs","out dev"),("system","x86_64-linux"),("weird","quote\" backslash\\ nl\n cr\r tab\t dollar$ end")])"""
        },
        {
            "1hjd7319dg1vaxa8pd8y6w2ks7s0zqjm-ca-a.drv",
            """Derive([("out","","r:sha256","")],[],[],"x86_64-linux","/bin/sh",["-c","printf hello > $out"],[("builder","/bin/sh"),("name","ca-a"),("out","/1rz4g4znpzjwh1xymhjpm42vipw92pr73vdgl6xs1hycac8kf2n9"),("outputHashAlgo","sha256"),("outputHashMode","recursive"),("system","x86_64-linux")])"""
        },
        {
            "ijbz4vmaylwkvflnqr9z61qa39zxmxhp-deferred-ia.drv",
            """Derive([("out","","","")],[("/nix/store/1hjd7319dg1vaxa8pd8y6w2ks7s0zqjm-ca-a.drv",["out"])],[],"x86_64-linux","/bin/sh",["-c","cat /1vp3km6vbwl4l6bf6n4mhjz6ccx9wqwvajxc9w8gd1wzwszsyfll > $out"],[("builder","/bin/sh"),("name","deferred-ia"),("out",""),("system","x86_64-linux")])"""
        },
        {
            "ck0hzf9000w6si9pv4dhams9b8ndvgl1-impure-x.drv",
            """Derive([("out","","r:sha256","impure")],[],[],"x86_64-linux","/bin/sh",[],[("builder","/bin/sh"),("name","impure-x"),("out","/1rz4g4znpzjwh1xymhjpm42vipw92pr73vdgl6xs1hycac8kf2n9"),("system","x86_64-linux")])"""
        },
        {
            "4wvvbi4jwn0prsdxb7vs673qa5h9gr7x-foo.drv",
            """Derive([("out","/nix/store/5vyvcwah9l9kf07d52rcgdk70g2f4y13-foo","","")],[("/nix/store/0hm2f1psjpcwg8fijsmr4wwxrx59s092-bar.drv",["out"])],[],":",":",[],[("bar","/nix/store/4q0pg5zpfmznxscq3avycvf9xdvx50n3-bar"),("builder",":"),("name","foo"),("out","/nix/store/5vyvcwah9l9kf07d52rcgdk70g2f4y13-foo"),("system",":")])"""
        },
    };

    [Theory]
    [MemberData(nameof(DocumentedATerms))]
    public void Documented_ATerm_is_the_fixture_and_round_trips(string file, string aterm)
    {
        var bytes = Encoding.UTF8.GetBytes(aterm);
        Assert.Equal(Fixtures.Read(file), bytes);
        var drv = ATermReader.Parse(bytes, ATermReader.NameFromPath(file));
        Assert.Equal(bytes, ATermWriter.Write(drv));
        Assert.Equal(file, DerivationPaths.DrvPath(drv, bytes, StoreDir.Default).BaseName);
    }

    [Fact]
    public void Ia_demo_is_619_bytes()
    {
        Assert.Equal(619, Fixtures.Read("pqg0j3yl7jhcyfxd70f9dk4lfi5khz1z-ia-demo.drv").Length);
    }

    [Theory]
    [InlineData("12rzprcibava5z9qh3bj23508c4a7gmb-hello.txt.drv", OutputKind.Fixed, ContentAddressMethod.Flat, HashAlgorithmKind.Sha256)]
    [InlineData("m6pp4dnyv0yzwwq78yb349mmzxdchsvh-hello.txt.drv", OutputKind.Fixed, ContentAddressMethod.Flat, HashAlgorithmKind.Sha256)]
    [InlineData("fv0zwh665dzv6i9jixxrpfsbqm2y8zng-hello-rec.drv", OutputKind.Fixed, ContentAddressMethod.Recursive, HashAlgorithmKind.Sha256)]
    [InlineData("dm2z2ym9ac9y329453xhgyzh2qpkklm8-hello-rec-sha1.drv", OutputKind.Fixed, ContentAddressMethod.Recursive, HashAlgorithmKind.Sha1)]
    [InlineData("0hm2f1psjpcwg8fijsmr4wwxrx59s092-bar.drv", OutputKind.Fixed, ContentAddressMethod.Recursive, HashAlgorithmKind.Sha256)]
    [InlineData("1hjd7319dg1vaxa8pd8y6w2ks7s0zqjm-ca-a.drv", OutputKind.Floating, ContentAddressMethod.Recursive, HashAlgorithmKind.Sha256)]
    [InlineData("ck0hzf9000w6si9pv4dhams9b8ndvgl1-impure-x.drv", OutputKind.Impure, ContentAddressMethod.Recursive, HashAlgorithmKind.Sha256)]
    [InlineData("ijbz4vmaylwkvflnqr9z61qa39zxmxhp-deferred-ia.drv", OutputKind.Deferred, ContentAddressMethod.Flat, null)]
    [InlineData("4wvvbi4jwn0prsdxb7vs673qa5h9gr7x-foo.drv", OutputKind.InputAddressed, ContentAddressMethod.Flat, null)]
    public void Output_kinds_of_section_3_4(string file, OutputKind kind, ContentAddressMethod method, HashAlgorithmKind? algo)
    {
        var drv = Fixtures.Parse(file);
        var output = Assert.Single(drv.Outputs);
        Assert.Equal("out", output.Name);
        Assert.Equal(kind, output.Kind);
        Assert.Equal(method, output.Method);
        Assert.Equal(algo, output.Algorithm);
        Assert.Equal(kind == OutputKind.Fixed, drv.IsFixedOutput);
        Assert.Equal(kind == OutputKind.Fixed, output.FixedHash is not null);
        Assert.Equal(output.HashAlgo, output.MethodAlgo);
    }

    [Fact]
    public void Fixed_output_hash_comes_from_the_tuple_not_the_env()
    {
        var drv = Fixtures.Parse("fv0zwh665dzv6i9jixxrpfsbqm2y8zng-hello-rec.drv");
        Assert.Equal("sha256:0sg9f58l1jj88w6pdrfdpj5x9b1zrwszk84j81zvby36q9whhhqa", drv.GetEnvString("outputHash"));
        Assert.Equal("0a430879c266f8b57f4092a0f935cf3facd48bbccde5760d4748ca405171e969", drv.Outputs[0].FixedHash!.ToBase16());
        Assert.Equal(NixHash.Parse(drv.GetEnvString("outputHash")!), drv.Outputs[0].FixedHash);

        var sri = Fixtures.Parse("m6pp4dnyv0yzwwq78yb349mmzxdchsvh-hello.txt.drv");
        Assert.Equal("sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=", sri.GetEnvString("outputHash"));
        Assert.Null(sri.GetEnvString("outputHashMode"));
        Assert.Equal("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", sri.Outputs[0].Hash);
        Assert.Equal("/nix/store/iixxin28s82lrxs8v4lcf7nha2dkwprm-hello.txt", sri.Outputs[0].Path);
    }

    [Fact]
    public void Sha1_fixed_output_tuple()
    {
        var drv = Fixtures.Parse("dm2z2ym9ac9y329453xhgyzh2qpkklm8-hello-rec-sha1.drv");
        var o = drv.Outputs[0];
        Assert.Equal(("out", "/nix/store/xx5y756xyk3v5pypgw9ilgasajbd1219-hello-rec-sha1", "r:sha1", "5144612b23081da49ab008bd0b73960b6a2b7fe9"), (o.Name, o.Path, o.HashAlgo, o.Hash));
    }

    [Fact]
    public void Escaped_fields_are_unescaped_and_outputs_sorted_while_env_keeps_user_order()
    {
        var drv = Fixtures.Parse("pqg0j3yl7jhcyfxd70f9dk4lfi5khz1z-ia-demo.drv");
        Assert.Equal(["dev", "out"], drv.Outputs.Select(o => o.Name));
        Assert.Equal("out dev", drv.GetEnvString("outputs"));
        Assert.Equal("quote\" backslash\\ nl\n cr\r tab\t dollar$ end", drv.GetEnvString("weird"));
        Assert.Equal(["-c", "cat /nix/store/iixxin28s82lrxs8v4lcf7nha2dkwprm-hello.txt > $out; echo dev > $dev"], drv.Args.Select(a => Encoding.UTF8.GetString(a)));
        Assert.Equal("x86_64-linux"u8.ToArray(), drv.Platform);
        Assert.Equal("/bin/sh"u8.ToArray(), drv.Builder);
        var input = Assert.Single(drv.InputDerivations);
        Assert.Equal("/nix/store/12rzprcibava5z9qh3bj23508c4a7gmb-hello.txt.drv", input.Path);
        Assert.Equal(["out"], input.Outputs);
        Assert.Empty(drv.InputSources);
        Assert.Equal(["/nix/store/12rzprcibava5z9qh3bj23508c4a7gmb-hello.txt.drv"], drv.References);
    }

    [Fact]
    public void Control_bytes_are_raw_and_env_keys_are_escaped()
    {
        var file = Fixtures.Named("-escapes.drv");
        var bytes = Fixtures.Read(file);
        var drv = Fixtures.Parse(file);
        Assert.Equal(new byte[] { 0x61, 0x01, 0x62, 0x1b, 0x63, 0x7f, 0x64, 0xc3, 0xa9 }, drv.GetEnv("raw"u8));
        Assert.Equal("v"u8.ToArray(), drv.GetEnv("key\"q"u8));
        Assert.True(bytes.AsSpan().IndexOf("(\"key\\\"q\",\"v\")"u8) >= 0);
        Assert.True(bytes.AsSpan().IndexOf(new byte[] { 0x22, 0x61, 0x01, 0x62, 0x1b, 0x63, 0x7f, 0x64, 0xc3, 0xa9, 0x22 }) >= 0);
    }

    [Fact]
    public void Latin1_bytes_survive()
    {
        const string file = "x6p0hg79i3wg0kkv7699935f7rrj9jf3-latin1.drv";
        var drv = Fixtures.Parse(file);
        Assert.Equal(new byte[] { 0xc5, 0xc4, 0xd6 }, drv.GetEnv("chars"u8));
        Assert.Equal("/nix/store/x1f6jfq9qgb6i8jrmpifkn9c64fg4hcm-latin1", drv.Outputs[0].Path);
        Assert.Equal(Fixtures.Read(file), ATermWriter.Write(drv));
    }

    [Fact]
    public void Unicode_text_is_utf8_bytes()
    {
        var drv = Fixtures.Parse("52a9id8hx688hvlnz4d1n25ml1jdykz0-unicode.drv");
        Assert.Equal("räksmörgås\nrødgrød med fløde\nLübeck\n肥猪\nこんにちは / 今日は\n🌮\n", drv.GetEnvString("letters"));
        Assert.Equal("/nix/store/vgvdj6nf7s8kvfbl2skbpwz9kc7xjazc-unicode", drv.Outputs[0].Path);
    }

    [Fact]
    public void Nested_json_keeps_its_backslash()
    {
        var drv = Fixtures.Parse("292w8yzv5nn7nhdpxcs8b7vby2p27s09-nested-json.drv");
        Assert.Equal("{\"hello\":\"moto\\n\"}", drv.GetEnvString("json"));
        Assert.Equal("/nix/store/pzr7lsd3q9pqsnb42r9b23jc5sh8irvn-nested-json", drv.Outputs[0].Path);
    }

    [Fact]
    public void Multiple_outputs()
    {
        var drv = Fixtures.Parse("h32dahq0bx5rp1krcdx3a53asj21jvhk-has-multi-out.drv");
        Assert.Equal(
            [("lib", "/nix/store/2vixb94v0hy2xc6p7mbnxxcyc095yyia-has-multi-out-lib"), ("out", "/nix/store/55lwldka5nyxa08wnvlizyqw02ihy8ic-has-multi-out")],
            drv.Outputs.Select(o => (o.Name, o.Path)));
        Assert.Equal("out lib", drv.GetEnvString("outputs"));
        Assert.Null(drv.FindOutput("dev"));
        Assert.Same(drv.Outputs[0], drv.FindOutput("lib"));
    }

    [Fact]
    public void Structured_attrs_put_everything_in_json()
    {
        var drv = Fixtures.Parse("9lj1lkjm2ag622mh4h9rpy6j607an8g2-structured-attrs.drv");
        Assert.Equal(["__json", "out"], drv.Env.Select(e => Encoding.UTF8.GetString(e.Key)));
        Assert.Equal("{\"builder\":\":\",\"name\":\"structured-attrs\",\"system\":\":\"}", drv.GetEnvString("__json"));
        Assert.Equal("/nix/store/6a39dl014j57bqka7qx25k0vb20vkqm6-structured-attrs", drv.Outputs[0].Path);
        Assert.Null(drv.GetEnvString("name"));
    }

    [Fact]
    public void Structured_attrs_fixed_output_keeps_urls_and_hash_in_json()
    {
        var drv = Fixtures.Parse(Fixtures.Named("-sa-fod.drv"));
        Assert.Equal(
            "{\"b\":true,\"builder\":\":\",\"n\":1,\"name\":\"sa-fod\",\"nul\":null,\"outputHash\":\"sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=\",\"system\":\":\",\"urls\":[\"https://a.example/x\",\"mirror://gnu/hello/hello-2.12.tar.gz\"]}",
            drv.GetEnvString("__json"));
        Assert.True(drv.IsFixedOutput);
        Assert.Equal("sha256", drv.Outputs[0].HashAlgo);
        Assert.Equal("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", drv.Outputs[0].Hash);
        Assert.Equal(StoreDir.Default.Print(StoreDir.Default.MakeFixedOutputPath(ContentAddressMethod.Flat, drv.Outputs[0].FixedHash!, "sa-fod")), drv.Outputs[0].Path);
    }

    [Theory]
    [InlineData("/nix/store/0hm2f1psjpcwg8fijsmr4wwxrx59s092-bar.drv", "bar")]
    [InlineData("0hm2f1psjpcwg8fijsmr4wwxrx59s092-bar.drv", "bar")]
    [InlineData("/nix/store/12rzprcibava5z9qh3bj23508c4a7gmb-hello.txt.drv", "hello.txt")]
    [InlineData("/nix/store/0hm2f1psjpcwg8fijsmr4wwxrx59s092-x.drv", "x")]
    public void Name_comes_from_the_drv_file_name(string path, string name)
    {
        Assert.Equal(name, ATermReader.NameFromPath(path));
    }

    [Theory]
    [InlineData("/nix/store/0hm2f1psjpcwg8fijsmr4wwxrx59s092-bar")]
    [InlineData("/nix/store/0hm2f1psjpcwg8fijsmr4wwxrx59s092-.drv")]
    [InlineData("/nix/store/0hm2f1psjpcwg8fijsmr4wwxrx59s092.drv")]
    [InlineData("/nix/store/hm2f1psjpcwg8fijsmr4wwxrx59s092.drv")]
    [InlineData(".drv")]
    [InlineData("")]
    public void Name_from_a_non_drv_path_is_an_error(string path)
    {
        Assert.Throws<NixFormatException>(() => ATermReader.NameFromPath(path));
    }
}
