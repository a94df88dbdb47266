using System.Text;
using System.Text.Json;

namespace Vigil.E2E.Tests.Oracle;

/// <summary>
/// <c>vigil drv check -r</c> against derivations Nix wrote (must pass) and against a copy of that
/// store with one <c>.drv</c> edited by hand (must fail, naming what no longer adds up).
/// </summary>
public sealed class DrvCheckOracleTests
{
    private const string Graph = """
        let
          fod = derivation {
            name = "hello.txt"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "printf hello > $out" ];
            outputHashMode = "flat"; outputHashAlgo = "sha256"; outputHash = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
          };
          ia = derivation {
            name = "ia-demo"; system = "x86_64-linux"; builder = "/bin/sh"; outputs = [ "out" "dev" ];
            args = [ "-c" "cat ${fod} > $out; echo dev > $dev" ];
            weird = "quote\" backslash\\ nl\n cr\r tab\t dollar$ end";
          };
          top = derivation { name = "top"; system = "x86_64-linux"; builder = "/bin/sh"; args = [ "-c" "cat ${ia.dev}/x > $out" ]; };
        in { fod = fod.drvPath; ia = ia.drvPath; top = top.drvPath; }
        """;

    [Fact]
    public async Task Nix_written_closure_passes_and_a_tampered_copy_fails_with_named_mismatches()
    {
        Assert.SkipWhen(!NixOracle.IsAvailable, "nix-instantiate is not on PATH");
        using var nix = new NixOracle("check");
        var drvs = Instantiate(nix);

        var clean = await VigilCli.RunAsync("drv", "check", "-r", "--store", nix.StoreUri, drvs["top"]);
        Assert.True(clean.ExitCode == 0, clean.StdoutText + clean.Stderr);
        Assert.Equal("", clean.StdoutText);
        Assert.Contains("checked 3 derivations: 0 with mismatches", clean.Stderr, StringComparison.Ordinal);

        // Change an env value of ia without updating anything that depends on its bytes.
        var copy = CopyStore(nix);
        Edit(copy, drvs["ia"], "dollar$ end", "dollar$ END");
        var tampered = await VigilCli.RunAsync("drv", "check", "-r", "--store", copy.Uri, drvs["top"]);
        Assert.True(tampered.ExitCode == 1, tampered.StdoutText + tampered.Stderr);
        var lines = tampered.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.EndsWith("\n", tampered.StdoutText, StringComparison.Ordinal);
        // Its own path no longer matches its bytes, and both outputs no longer match its masked hash…
        Assert.Contains(lines, l => l.StartsWith(drvs["ia"] + ": drvPath: found " + drvs["ia"] + ", expected /nix/store/", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith(drvs["ia"] + ": output out path: found /nix/store/", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith(drvs["ia"] + ": output dev path: found /nix/store/", StringComparison.Ordinal));
        // …and top, whose bytes are intact, now sits on an input with another modulo hash.
        Assert.Contains(lines, l => l.StartsWith(drvs["top"] + ": output out path: found /nix/store/", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith(drvs["fod"], StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith(drvs["top"] + ": drvPath", StringComparison.Ordinal));
        Assert.Contains("checked 3 derivations: 2 with mismatches", tampered.Stderr, StringComparison.Ordinal);
        await AssertShowMatchesNixAsync(nix, copy, drvs["top"]);

        var json = await VigilCli.RunAsync("drv", "check", "-r", "--json", "--store", copy.Uri, drvs["top"]);
        Assert.Equal(1, json.ExitCode);
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.Contains(doc.RootElement.EnumerateArray(), m => m.GetProperty("drvPath").GetString() == drvs["ia"] && m.GetProperty("what").GetString() == "drvPath");
    }

    [Fact]
    public async Task Tampered_fixed_output_hash_is_reported_on_the_fod_and_its_dependents()
    {
        Assert.SkipWhen(!NixOracle.IsAvailable, "nix-instantiate is not on PATH");
        using var nix = new NixOracle("check-fod");
        var drvs = Instantiate(nix);
        var copy = CopyStore(nix);
        // The tuple's hash (not env outputHash, which Nix never reads back) decides the output path.
        Edit(copy, drvs["fod"], "\"sha256\",\"2cf24dba", "\"sha256\",\"3cf24dba");

        var run = await VigilCli.RunAsync("drv", "check", "-r", "--store", copy.Uri, drvs["top"]);

        Assert.Equal(1, run.ExitCode);
        var lines = run.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith(drvs["fod"] + ": drvPath: ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith(drvs["fod"] + ": output out path: found /nix/store/iixxin28s82lrxs8v4lcf7nha2dkwprm-hello.txt", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith(drvs["ia"] + ": output out path: ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith(drvs["top"] + ": output out path: ", StringComparison.Ordinal));
        await AssertShowMatchesNixAsync(nix, copy, drvs["top"]);
    }

    [Fact]
    public async Task Tampered_fixed_output_path_alone_does_not_move_dependents()
    {
        Assert.SkipWhen(!NixOracle.IsAvailable, "nix-instantiate is not on PATH");
        using var nix = new NixOracle("check-fodpath");
        var drvs = Instantiate(nix);
        var copy = CopyStore(nix);
        // Nix 2.8 does not read a fixed output's path back from the .drv: it recomputes it from
        // (method, hash, name), for show-derivation and for hashDerivationModulo alike. So only
        // the edited file itself is wrong; its dependents' output paths still hold.
        Edit(copy, drvs["fod"], "(\"out\",\"/nix/store/iixxin28s82lrxs8v4lcf7nha2dkwprm-hello.txt\"", "(\"out\",\"/nix/store/iixxin28s82lrxs8v4lcf7nha2dkwprz-hello.txt\"");

        var run = await VigilCli.RunAsync("drv", "check", "-r", "--store", copy.Uri, drvs["top"]);

        Assert.Equal(1, run.ExitCode);
        var lines = run.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith(drvs["fod"] + ": output out path: found /nix/store/iixxin28s82lrxs8v4lcf7nha2dkwprz-hello.txt, expected /nix/store/iixxin28s82lrxs8v4lcf7nha2dkwprm-hello.txt", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.StartsWith(drvs["fod"], l, StringComparison.Ordinal));

        // Nix shows the computed path, not the edited one, and so does Vigil.
        var show = await VigilCli.RunAsync("drv", "show", "--store", copy.Uri, drvs["fod"]);
        Assert.Contains("\"path\": \"/nix/store/iixxin28s82lrxs8v4lcf7nha2dkwprm-hello.txt\"", show.StdoutText, StringComparison.Ordinal);
        await AssertShowMatchesNixAsync(nix, copy, drvs["top"]);
    }

    [Fact]
    public async Task Unparsable_drv_is_an_input_error_naming_the_file()
    {
        Assert.SkipWhen(!NixOracle.IsAvailable, "nix-instantiate is not on PATH");
        using var nix = new NixOracle("check-broken");
        var drvs = Instantiate(nix);
        var copy = CopyStore(nix);
        Edit(copy, drvs["ia"], "Derive([", "Derive[(");

        var run = await VigilCli.RunAsync("drv", "check", "-r", "--store", copy.Uri, drvs["top"]);

        Assert.Equal(2, run.ExitCode);
        var errorLines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(errorLines);
        Assert.Contains(drvs["ia"], line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_r_only_the_roots_are_checked_and_an_unreadable_input_fails_its_dependents()
    {
        Assert.SkipWhen(!NixOracle.IsAvailable, "nix-instantiate is not on PATH");
        using var nix = new NixOracle("check-roots");
        var drvs = Instantiate(nix);

        // The inputs are read for their modulo hashes only, not checked: one root is one check.
        var clean = await VigilCli.RunAsync("drv", "check", "--store", nix.StoreUri, drvs["top"]);
        Assert.True(clean.ExitCode == 0, clean.StdoutText + clean.Stderr);
        Assert.Contains("checked 1 derivations: 0 with mismatches", clean.Stderr, StringComparison.Ordinal);
        var two = await VigilCli.RunAsync("drv", "check", "--store", nix.StoreUri, drvs["top"], drvs["fod"], drvs["top"]);
        Assert.True(two.ExitCode == 0, two.StdoutText + two.Stderr);
        Assert.Contains("checked 2 derivations: 0 with mismatches", two.Stderr, StringComparison.Ordinal);

        // fod (an input of ia, an input of top) gone: top's output path cannot be derived, which
        // is a mismatch of top (exit 1), not a failure of the whole check; fod itself never is.
        var copy = CopyStore(nix);
        File.Delete(copy.Root + drvs["fod"]);
        var run = await VigilCli.RunAsync("drv", "check", "--store", copy.Uri, drvs["top"]);
        Assert.True(run.ExitCode == 1, run.StdoutText + run.Stderr);
        var line = Assert.Single(run.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(drvs["top"] + ": error: found ", line, StringComparison.Ordinal);
        Assert.Contains(drvs["fod"], line, StringComparison.Ordinal);
        Assert.EndsWith("expected all input derivations readable", line, StringComparison.Ordinal);

        // With -r the missing file is part of what is checked: the check cannot be done (exit 2).
        var recursive = await VigilCli.RunAsync("drv", "check", "-r", "--store", copy.Uri, drvs["top"]);
        Assert.Equal(2, recursive.ExitCode);
        Assert.Contains(drvs["fod"], recursive.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cycle_in_an_edited_store_is_reported_not_waited_on()
    {
        Assert.SkipWhen(!NixOracle.IsAvailable, "nix-instantiate is not on PATH");
        using var nix = new NixOracle("check-cycle");
        var drvs = Instantiate(nix);
        var copy = CopyStore(nix);
        // ia also "depends" on top, which depends on ia: no modulo hash can be derived for either.
        Edit(copy, drvs["ia"], "[(\"" + drvs["fod"] + "\"", "[(\"" + drvs["fod"] + "\",[\"out\"]),(\"" + drvs["top"] + "\"");

        var run = await VigilCli.RunAsync("drv", "check", "-r", "--store", copy.Uri, drvs["top"]);

        Assert.True(run.ExitCode == 1, run.StdoutText + run.Stderr);
        var lines = run.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith(drvs["ia"] + ": error: found ", StringComparison.Ordinal) && l.Contains("cycle", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith(drvs["top"] + ": error: found ", StringComparison.Ordinal) && l.Contains("cycle", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith(drvs["fod"], StringComparison.Ordinal));
        Assert.Contains("checked 3 derivations", run.Stderr, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Instantiate(NixOracle nix)
    {
        File.WriteAllText(Path.Combine(nix.WorkDir, "graph.nix"), Graph);
        var json = nix.EvalJson("import ./graph.nix", experimental: false);
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
    }

    /// <summary>
    /// A writable copy of the chroot store (its files and its database, so that Nix itself can
    /// read the edited copy too), as another chroot store.
    /// </summary>
    private static (string Root, string Uri) CopyStore(NixOracle nix)
    {
        var root = Path.Combine(nix.Root, "copy");
        var chroot = Path.Combine(nix.Root, "chroot");
        foreach (var dir in new[] { "nix/store", "nix/var/nix/db" })
        {
            Directory.CreateDirectory(Path.Combine(root, dir));
            foreach (var file in Directory.EnumerateFiles(Path.Combine(chroot, dir)))
            {
                // Written anew rather than copied: the store's files are read-only.
                File.WriteAllBytes(Path.Combine(root, dir, Path.GetFileName(file)), File.ReadAllBytes(file));
            }
        }
        return (root, $"local?root={root}");
    }

    /// <summary>Nix reads the edited copy as Vigil does: <c>show-derivation -r</c> output is identical.</summary>
    private static async Task AssertShowMatchesNixAsync(NixOracle nix, (string Root, string Uri) copy, string root)
    {
        var expected = nix.ShowDerivation([root], recursive: true, copy.Uri);
        var actual = await VigilCli.RunAsync("drv", "show", "-r", "--store", copy.Uri, root);
        Assert.Equal(0, actual.ExitCode);
        Assert.Equal(Encoding.UTF8.GetString(expected), actual.StdoutText);
    }

    private static void Edit((string Root, string Uri) copy, string drvPath, string from, string to)
    {
        var file = copy.Root + drvPath;
        var text = File.ReadAllText(file, Encoding.UTF8);
        Assert.Contains(from, text, StringComparison.Ordinal);
        File.WriteAllText(file, text.Replace(from, to, StringComparison.Ordinal), new UTF8Encoding(false));
    }
}
