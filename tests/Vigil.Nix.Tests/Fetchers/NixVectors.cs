namespace Vigil.Nix.Tests.Fetchers;

/// <summary>
/// <c>.drv</c> files written by Nix 2.8.0 itself (nix-instantiate in a chroot store), verbatim. The
/// E2E suite regenerates them from the same expressions and checks the same facts against live Nix.
/// </summary>
internal static class NixVectors
{
    /// <summary>
    /// <c>import &lt;nix/fetchurl.nix&gt; { url = "https://example.org/dist/hello-2.12.tar.gz"; sha256 = "1ayhp9…"; }</c>
    /// (docs/nix-formats.md §7.2): <c>/nix/store/ndpm3ifa1pbk39nm0xz5lic8bpvqfjlh-hello-2.12.tar.gz.drv</c>.
    /// </summary>
    public const string BuiltinFlat = """Derive([("out","/nix/store/8nqv6kshb3vs5q5bs2k600xpj5bkavkc-hello-2.12.tar.gz","sha256","cf04af86dc085268c5f4470fbae49b18afbc221b78096aab842d934a76bad0ab")],[],[],"builtin","builtin:fetchurl",[],[("builder","builtin:fetchurl"),("executable",""),("impureEnvVars","http_proxy https_proxy ftp_proxy all_proxy no_proxy"),("name","hello-2.12.tar.gz"),("out","/nix/store/8nqv6kshb3vs5q5bs2k600xpj5bkavkc-hello-2.12.tar.gz"),("outputHash","1ayhp9v4m4rdhjmnl2bq3cibrbqqkgjbl3s7yk2nhlh8vj3ay16g"),("outputHashAlgo","sha256"),("outputHashMode","flat"),("preferLocalBuild","1"),("system","builtin"),("unpack",""),("url","https://example.org/dist/hello-2.12.tar.gz"),("urls","https://example.org/dist/hello-2.12.tar.gz")])""";

    public const string BuiltinFlatPath = "/nix/store/ndpm3ifa1pbk39nm0xz5lic8bpvqfjlh-hello-2.12.tar.gz.drv";

    /// <summary>The same with <c>hash = "sha256-t4eY…"; unpack = true; name = "source";</c>.</summary>
    public const string BuiltinUnpack = """Derive([("out","/nix/store/ymqdqhnf7hc8mb5rl215vv3wkrvcx9d0-source","r:sha256","b7879817e4f339f5bedec838590842c2b5e6013fd952d5be37fcba69548a9a7b")],[],[],"builtin","builtin:fetchurl",[],[("builder","builtin:fetchurl"),("executable",""),("impureEnvVars","http_proxy https_proxy ftp_proxy all_proxy no_proxy"),("name","source"),("out","/nix/store/ymqdqhnf7hc8mb5rl215vv3wkrvcx9d0-source"),("outputHash","sha256-t4eYF+TzOfW+3sg4WQhCwrXmAT/ZUtW+N/y6aVSKmns="),("outputHashAlgo",""),("outputHashMode","recursive"),("preferLocalBuild","1"),("system","builtin"),("unpack","1"),("url","https://example.org/dist/tree.nar"),("urls","https://example.org/dist/tree.nar")])""";

    public const string BuiltinUnpackPath = "/nix/store/s6ny32jvxikxzzlklla7052blqqf8mbm-source.drv";

    /// <summary>A mirrors-list derivation: <c>gnu = [ "https://ftpmirror.gnu.org/" "https://ftp.gnu.org/pub/gnu/" ]</c>.</summary>
    public const string MirrorsList = """Derive([("out","/nix/store/qp1fgwff1iyjhhbpdx5knhzn87hvjg88-mirrors-list","","")],[],[],"x86_64-linux","/bin/sh",["-c","set | grep -E '^[a-zA-Z]+=.*://' > $out"],[("builder","/bin/sh"),("gnu","https://ftpmirror.gnu.org/ https://ftp.gnu.org/pub/gnu/"),("hashedMirrors","http://tarballs.nixos.org"),("name","mirrors-list"),("out","/nix/store/qp1fgwff1iyjhhbpdx5knhzn87hvjg88-mirrors-list"),("system","x86_64-linux")])""";

    public const string MirrorsListPath = "/nix/store/28sxllwq3p1acqvh7dywg3hmwinh5h76-mirrors-list.drv";

    /// <summary>
    /// A nixpkgs-fetchurl-shaped FOD over that list: <c>urls = [ "mirror://gnu/hello/hello-2.12.tar.gz" ]</c>,
    /// same name and hash as <see cref="BuiltinFlat"/>, hence the same output path.
    /// </summary>
    public const string MirrorFetch = """Derive([("out","/nix/store/8nqv6kshb3vs5q5bs2k600xpj5bkavkc-hello-2.12.tar.gz","sha256","cf04af86dc085268c5f4470fbae49b18afbc221b78096aab842d934a76bad0ab")],[("/nix/store/28sxllwq3p1acqvh7dywg3hmwinh5h76-mirrors-list.drv",["out"])],[],"x86_64-linux","/bin/sh",["-e","builder.sh"],[("builder","/bin/sh"),("mirrorsFile","/nix/store/qp1fgwff1iyjhhbpdx5knhzn87hvjg88-mirrors-list"),("name","hello-2.12.tar.gz"),("out","/nix/store/8nqv6kshb3vs5q5bs2k600xpj5bkavkc-hello-2.12.tar.gz"),("outputHash","cf04af86dc085268c5f4470fbae49b18afbc221b78096aab842d934a76bad0ab"),("outputHashAlgo","sha256"),("outputHashMode","flat"),("system","x86_64-linux"),("urls","mirror://gnu/hello/hello-2.12.tar.gz")])""";

    public const string MirrorFetchPath = "/nix/store/jpcarymrwnyly9mnbq6lxkqn7g6qp7wg-hello-2.12.tar.gz.drv";

    /// <summary>A <c>__structuredAttrs</c> FOD with a <c>urls</c> list and <c>mirrorsFile</c>.</summary>
    public const string Structured = """Derive([("out","/nix/store/68l8zhsji66f56pqqbks8l7g61cnsvzx-sa-fod","sha256","2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")],[("/nix/store/28sxllwq3p1acqvh7dywg3hmwinh5h76-mirrors-list.drv",["out"])],[],"x86_64-linux","/bin/sh",[],[("__json","{\"builder\":\"/bin/sh\",\"mirrorsFile\":\"/nix/store/qp1fgwff1iyjhhbpdx5knhzn87hvjg88-mirrors-list\",\"name\":\"sa-fod\",\"outputHash\":\"sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=\",\"system\":\"x86_64-linux\",\"urls\":[\"https://a.example/x\",\"mirror://gnu/hello/hello-2.12.tar.gz\"]}"),("out","/nix/store/68l8zhsji66f56pqqbks8l7g61cnsvzx-sa-fod")])""";

    public const string StructuredPath = "/nix/store/15370030gdrkqif1l2xhfj3v7kdq1yjm-sa-fod.drv";

    /// <summary>
    /// Env coercion, plain: <c>l = ["x" [] "y" []]; m = [ "a" 1 true false null [ "n" ] ]; f = 1.5; n = [[] "z"];</c>.
    /// </summary>
    public const string CoercePlain = """Derive([("out","/nix/store/n02w9ximdqmflkcjaiqdxlirhmfnhdrm-c","","")],[],[],"x","x",[],[("builder","x"),("f","1.500000"),("l","x y "),("m","a 1 1   n"),("n","z"),("name","c"),("out","/nix/store/n02w9ximdqmflkcjaiqdxlirhmfnhdrm-c"),("system","x")])""";

    /// <summary>The same attributes with <c>__structuredAttrs = true</c> (name <c>c2</c>).</summary>
    public const string CoerceStructured = """Derive([("out","/nix/store/6qxanypqrmz4a4vba03s85jxwmr3rdfk-c2","","")],[],[],"x","x",[],[("__json","{\"builder\":\"x\",\"f\":1.5,\"l\":[\"x\",[],\"y\",[]],\"m\":[\"a\",1,true,false,null,[\"n\"]],\"n\":[[],\"z\"],\"name\":\"c2\",\"system\":\"x\"}"),("out","/nix/store/6qxanypqrmz4a4vba03s85jxwmr3rdfk-c2")])""";
}
