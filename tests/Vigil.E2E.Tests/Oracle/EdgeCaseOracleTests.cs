using System.Text;
using Vigil.Nix.Derivations;
using Vigil.Nix.StorePaths;

namespace Vigil.E2E.Tests.Oracle;

/// <summary>
/// The cases the random batches hit only by chance, written out: name edges, the twin-FOD merge,
/// a 50-deep chain with diamonds, path literals and <c>toFile</c> sources, and names Nix refuses.
/// </summary>
public sealed class EdgeCaseOracleTests
{
    [Fact]
    public async Task Edge_names_agree_with_nix()
    {
        Assert.SkipWhen(!NixOracle.IsAvailable, "nix-instantiate is not on PATH");
        var cases = new List<(string Name, string[] Outputs, bool Fixed)>();
        cases.AddRange(DrvGens.EdgeNames.Select(n => (n, new[] { "out" }, false)));
        cases.Add((new string('a', 207), ["out"], false));              // name.drv is exactly 211
        cases.Add((new string('b', 207), ["dev", "out"], false));       // name-dev is exactly 211
        cases.Add((new string('c', 206) + "?", ["out", "lib"], false)); // name-lib is 211 too
        cases.Add((new string('=', 207), ["out"], true));
        cases.Add(("." , ["out", ".", ".."], false));                   // output names get the same leniency
        cases.Add(("x", ["out", "=?+-._"], false));
        var sb = new StringBuilder("let mk = name: outputs: fixed: derivation ({ inherit name outputs; system = \"x86_64-linux\"; builder = \"/bin/sh\"; }\n");
        sb.Append("  // (if fixed then { outputHashMode = \"recursive\"; outputHash = \"sha1-qvTGHdzF6KLavt4PO0gs2a6pQ00=\"; } else { })); in rec {\n");
        for (var i = 0; i < cases.Count; i++)
        {
            var (name, outputs, isFixed) = cases[i];
            sb.Append($"  e{i} = mk {NixSyntax.String(Encoding.UTF8.GetBytes(name))} [ {string.Join(" ", outputs.Select(o => NixSyntax.String(Encoding.UTF8.GetBytes(o))))} ] {(isFixed ? "true" : "false")};\n");
        }
        sb.Append("  uses = derivation { name = \"uses-all\"; system = \"x86_64-linux\"; builder = \"/bin/sh\"; all = [ ");
        for (var i = 0; i < cases.Count; i++)
        {
            sb.Append($"e{i} ");
        }
        sb.Append("]; };\n}\n");

        var verifier = await VerifyAsync("edge-names", sb.ToString(), experimental: false);

        Assert.Equal(cases.Count + 1, verifier.DerivationCount);
        Assert.Equal(cases.Count, verifier.Parsed("uses").InputDerivations.Count);
    }

    [Fact]
    public async Task Twin_fods_merge_into_one_modulo_entry_as_in_nix()
    {
        Assert.SkipWhen(!NixOracle.IsAvailable, "nix-instantiate is not on PATH");
        // docs/nix-formats.md §4.5, items 6 and 7.
        const string source = """
            rec {
              fodFlat = derivation { name = "hello.txt"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "printf hello > $out" ];
                outputHashMode = "flat"; outputHashAlgo = "sha256"; outputHash = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"; };
              fodFlatSri = derivation { name = "hello.txt"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "echo -n hello > $out" ];
                outputHash = "sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="; };
              usesBoth = derivation { name = "uses-both"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "cat ${fodFlat} ${fodFlatSri} > $out" ]; };
            }
            """;

        var verifier = await VerifyAsync("twins", source, experimental: false);

        var usesBoth = verifier.Parsed("usesBoth");
        Assert.Equal(2, usesBoth.InputDerivations.Count);
        Assert.Equal(verifier.Parsed("fodFlat").Outputs[0].Path, verifier.Parsed("fodFlatSri").Outputs[0].Path);
        Assert.Equal("/nix/store/z9j9bf1nz9lsqlq9afncxv76w5f5fnvg-uses-both", usesBoth.Outputs[0].Path);
    }

    [Fact]
    public async Task Deep_chain_with_diamonds_agrees_with_nix()
    {
        Assert.SkipWhen(!NixOracle.IsAvailable, "nix-instantiate is not on PATH");
        // Link i uses link i-1 and (a diamond) link i-2 through another output; every fifth link is
        // a fixed-output derivation whose recipe still names its predecessor.
        var sb = new StringBuilder("rec {\n  c0 = derivation { name = \"c0\"; system = \"x86_64-linux\"; builder = \"/bin/sh\"; outputs = [ \"out\" \"dev\" ]; };\n");
        for (var i = 1; i <= 50; i++)
        {
            var two = i >= 2 ? $" ${{c{i - 2}.dev or c{i - 2}}}" : "";
            var fod = i % 5 == 0 ? $" outputHashAlgo = \"sha1\"; outputHash = \"{new string((char)('0' + (i % 10)), 40)}\";" : " outputs = [ \"dev\" \"out\" ];";
            sb.Append($"  c{i} = derivation {{ name = \"c{i}\"; system = \"x86_64-linux\"; builder = \"/bin/sh\"; prev = \"${{c{i - 1}}}{two}\";{fod} }};\n");
        }
        sb.Append("}\n");

        var verifier = await VerifyAsync("chain", sb.ToString(), experimental: false);

        Assert.Equal(51, verifier.DerivationCount);
        Assert.Equal(2, verifier.Parsed("c50").InputDerivations.Count);
    }

    [Fact]
    public async Task Path_literals_and_toFile_sources_agree_with_nix()
    {
        Assert.SkipWhen(!NixOracle.IsAvailable, "nix-instantiate is not on PATH");
        using var nix = new NixOracle("sources");
        Directory.CreateDirectory(Path.Combine(nix.WorkDir, "files", "dir"));
        File.WriteAllText(Path.Combine(nix.WorkDir, "files", "hello.txt"), "hello");
        File.WriteAllText(Path.Combine(nix.WorkDir, "files", "dir", "a"), "");
        const string source = """
            let
              t0 = builtins.toFile "hello.txt" "hello";
              t1 = builtins.toFile "foo" "bar";
              t2 = builtins.toFile "two-refs" "${t1} ${t0}";
            in rec {
              lit = derivation { name = "lit"; system = "x86_64-linux"; builder = ./files/hello.txt; src = ./files/dir; s = "${./files/hello.txt}"; };
              text = derivation { name = "text"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ t2 "${t1}" ]; };
              both = derivation { name = "both"; system = "x86_64-linux"; builder = "/bin/sh"; x = [ lit text.out t1 ./files/hello.txt ]; };
            }
            """;

        var verifier = OracleVerifier.ForExpression(nix, "sources", source, experimental: false);
        var report = await verifier.VerifyAsync(TestContext.Current.CancellationToken);

        Assert.True(report.Length == 0, report);
        var litSources = verifier.Parsed("lit").InputSources;
        Assert.Equal(2, litSources.Count);
        Assert.Contains("/nix/store/xfp2hphvk98rkk9ywlqpp587rjdcgnc2-hello.txt", litSources);
        Assert.Contains(litSources, p => p.EndsWith("-dir", StringComparison.Ordinal));
        Assert.Equal(["/nix/store/8p5q4siyh2valy8q9cjm8k9ma0vf2sz1-two-refs", "/nix/store/vxjiwkjkn7x4079qvh1jkl5pn05j2aw0-foo"], verifier.Parsed("text").InputSources);
    }

    /// <summary>Names Nix refuses for a derivation are names Vigil refuses for its output or <c>.drv</c> path.</summary>
    [Theory]
    [InlineData(208, 'a')]
    [InlineData(1, ' ')]
    [InlineData(1, '/')]
    [InlineData(1, '@')]
    [InlineData(1, '~')]
    [InlineData(1, 'é')]
    [InlineData(0, 'a')]
    public void Names_nix_refuses_are_refused(int length, char c)
    {
        Assert.SkipWhen(!NixOracle.IsAvailable, "nix-instantiate is not on PATH");
        var name = length == 1 ? "x" + c : new string(c, length);
        using var nix = new NixOracle("badname");

        var run = nix.Run("nix-instantiate", ["-E", $"derivation {{ name = {NixSyntax.String(Encoding.UTF8.GetBytes(name))}; system = \"x\"; builder = \"/bin/sh\"; }}"]);

        Assert.NotEqual(0, run.ExitCode);
        Assert.NotNull(StorePathName.Check(name) ?? StorePathName.Check(name + ".drv"));
    }

    private static async Task<OracleVerifier> VerifyAsync(string label, string source, bool experimental)
    {
        using var nix = new NixOracle(label);
        var verifier = OracleVerifier.ForExpression(nix, label, source, experimental);
        var report = await verifier.VerifyAsync(TestContext.Current.CancellationToken);
        if (report.Length > 0)
        {
            nix.Keep();
        }
        Assert.True(report.Length == 0, report);
        return verifier;
    }
}
