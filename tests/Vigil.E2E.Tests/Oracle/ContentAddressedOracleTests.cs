using Vigil.Nix.Derivations;

namespace Vigil.E2E.Tests.Oracle;

/// <summary>
/// Floating content-addressed (<c>ca-derivations</c>), deferred (input-addressed on top of
/// floating) and impure (<c>impure-derivations</c>, which Nix 2.8 has) derivations: Vigil's
/// reading, paths, placeholders and <c>drv show</c> JSON against Nix's.
/// </summary>
public sealed class ContentAddressedOracleTests
{
    private const string Source = """
        let
          sys = "x86_64-linux";
          mk = attrs: derivation ({ system = sys; builder = "/bin/sh"; args = [ "-c" "echo > $out" ]; } // attrs);
        in rec {
          caRec = mk { name = "ca-rec"; __contentAddressed = true; outputHashMode = "recursive"; outputHashAlgo = "sha256"; };
          caFlatSha1 = mk { name = "ca-flat"; __contentAddressed = true; outputHashMode = "flat"; outputHashAlgo = "sha1"; };
          caDefault = mk { name = "ca-default"; __contentAddressed = true; };
          caMulti = mk { name = "ca-multi"; outputs = [ "lib" "out" "dev" ]; __contentAddressed = true; outputHashAlgo = "sha512"; x = "${caRec}"; };
          caStructured = mk { name = "ca-structured"; __structuredAttrs = true; __contentAddressed = true; outputs = [ "out" "bin" ];
            deps = [ caFlatSha1 { nested = caMulti.dev; n = 1; } ]; };
          deferred = mk { name = "deferred"; outputs = [ "out" "bin" ]; x = "${caMulti.dev}"; };
          deferred2 = mk { name = "deferred2"; x = "${deferred.bin} ${caStructured}"; };
          deferredViaDrvPath = mk { name = "deferred-drvpath"; p = deferred.drvPath; };
          fodOnCa = mk { name = "fod-on-ca"; x = "${caRec}"; outputHashMode = "recursive"; outputHash = "sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="; };
          iaOnFodOnCa = mk { name = "ia-on-fod"; x = "${fodOnCa}"; };
          impure = mk { name = "impure"; __impure = true; outputs = [ "out" "doc" ]; };
          impureFlat = mk { name = "impure-flat"; __impure = true; outputHashMode = "flat"; outputHashAlgo = "md5"; };
          iaOnImpure = mk { name = "ia-on-impure"; x = "${impure.doc}"; };
          caOnImpure = mk { name = "ca-on-impure"; __contentAddressed = true; x = "${impureFlat}"; };
          impureOnCa = mk { name = "impure-on-ca"; __impure = true; x = "${caRec} ${deferred}"; };
        }
        """;

    [Fact]
    public async Task Floating_deferred_and_impure_derivations_agree_with_nix()
    {
        Assert.SkipWhen(!NixOracle.IsAvailable, "nix-instantiate is not on PATH");
        using var nix = new NixOracle("ca");
        var verifier = OracleVerifier.ForExpression(nix, "ContentAddressedOracleTests", Source, experimental: true);

        var report = await verifier.VerifyAsync(TestContext.Current.CancellationToken);

        if (report.Length > 0)
        {
            nix.Keep();
        }
        Assert.True(report.Length == 0, report);
        Assert.Equal(15, verifier.DerivationCount);
        AssertOutputs(verifier, "caRec", OutputKind.Floating, "r:sha256");
        AssertOutputs(verifier, "caFlatSha1", OutputKind.Floating, "sha1");
        AssertOutputs(verifier, "caDefault", OutputKind.Floating, "r:sha256");
        AssertOutputs(verifier, "caMulti", OutputKind.Floating, "r:sha512");
        AssertOutputs(verifier, "caStructured", OutputKind.Floating, "r:sha256");
        AssertOutputs(verifier, "deferred", OutputKind.Deferred, "");
        AssertOutputs(verifier, "deferred2", OutputKind.Deferred, "");
        AssertOutputs(verifier, "deferredViaDrvPath", OutputKind.Deferred, "");
        AssertOutputs(verifier, "fodOnCa", OutputKind.Fixed, "r:sha256");
        AssertOutputs(verifier, "iaOnFodOnCa", OutputKind.InputAddressed, "");
        AssertOutputs(verifier, "impure", OutputKind.Impure, "r:sha256");
        AssertOutputs(verifier, "impureFlat", OutputKind.Impure, "md5");
        AssertOutputs(verifier, "iaOnImpure", OutputKind.Deferred, "");
        AssertOutputs(verifier, "caOnImpure", OutputKind.Floating, "r:sha256");
        AssertOutputs(verifier, "impureOnCa", OutputKind.Impure, "r:sha256");
    }

    private static void AssertOutputs(OracleVerifier verifier, string id, OutputKind kind, string methodAlgo)
    {
        var drv = verifier.Parsed(id);
        Assert.All(drv.Outputs, o =>
        {
            Assert.Equal(kind, o.Kind);
            Assert.Equal(methodAlgo, o.MethodAlgo);
        });
    }
}
