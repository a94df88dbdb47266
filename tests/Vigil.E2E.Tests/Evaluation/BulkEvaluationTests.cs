using Vigil.Store.Evaluation;
using static Vigil.E2E.Tests.Evaluation.NixTestEnvironment;

namespace Vigil.E2E.Tests.Evaluation;

/// <summary>
/// A set whose walker output is far larger than one read buffer (and one record larger than the
/// initial buffer), so the streaming JSON reader must resume across chunks and grow.
/// </summary>
public sealed class BulkEvaluationTests : IDisposable
{
    private const int Packages = 600;
    private const int BigLength = 300_000;
    private readonly NixTestEnvironment environment = new();

    private const string Text = """
        { n }:
        let
          system = "x86_64-linux";
          fetch = i: derivation {
            name = "src-${toString i}.tar.gz"; builder = "builtin:fetchurl"; system = "builtin";
            url = "http://127.0.0.1/src/${toString i}.tar.gz";
            outputHashMode = "flat"; outputHashAlgo = "sha256"; outputHash = builtins.hashString "sha256" (toString i);
          };
          pkgs = builtins.genList (i: derivation {
            name = "p-${toString i}"; inherit system; builder = "/bin/sh"; src = fetch i;
            deps = if i == 0 then [ ] else [ (builtins.elemAt pkgs (i / 2)) ];
          }) n;
        in
        builtins.listToAttrs (builtins.genList (i: { name = "p${toString i}"; value = builtins.elemAt pkgs i; }) n) // {
          big = derivation {
            name = "big.tar.gz"; builder = "builtin:fetchurl"; system = "builtin"; url = "http://127.0.0.1/big.tar.gz";
            postFetch = builtins.concatStringsSep "" (builtins.genList (_: "0123456789") 30000);
            outputHashMode = "flat"; outputHashAlgo = "sha256"; outputHash = builtins.hashString "sha256" "big";
          };
        }
        """;

    [Fact]
    public async Task Streaming_output_of_a_large_set_matches_instantiation()
    {
        Assert.SkipWhen(!NixAvailable, "nix-instantiate is not installed");
        var file = Path.Combine(environment.Root.FullName, "bulk.nix");
        await File.WriteAllTextAsync(file, Text);
        var store = environment.NewStoreRoot();
        // ArgStrs pass strings only; a wrapper file gives n as a number.
        var wrapper = Path.Combine(environment.Root.FullName, "bulk-wrapper.nix");
        await File.WriteAllTextAsync(wrapper, $"import {file} {{ n = {Packages}; }}");
        var readOnly = await CollectAsync(new ReadOnlyEvaluator(NixFor(store), new EvaluatorOptions(Jobs: 2)).EvaluateAsync(new EvalTarget(wrapper)));
        Assert.Empty(StoreEntries(store));
        var seen = readOnly.OfType<DerivationSeen>().ToList();
        Assert.Equal((2 * Packages) + 1, seen.Count);
        Assert.Equal(BigLength, seen.Single(s => s.Name == "big.tar.gz").FodAttrs!["postFetch"].Length);

        var instantiated = await CollectAsync(new InstantiateEvaluator(NixFor(store)).EvaluateAsync(new EvalTarget(wrapper)));
        Assert.Equal(
            instantiated.OfType<AttrEvaluated>().OrderBy(e => e.Attr, StringComparer.Ordinal),
            readOnly.OfType<AttrEvaluated>().OrderBy(e => e.Attr, StringComparer.Ordinal));
        Assert.Equal(Packages + 1, instantiated.Count);
        var location = Location(store);
        Assert.All(seen, s => Assert.True(File.Exists(location.RealPath(s.DrvPath)), s.DrvPath));
    }

    public void Dispose() => environment.Dispose();
}
