using System.Text;
using Vigil.Nix.Hashing;

namespace Vigil.E2E.Tests.Oracle;

/// <summary>
/// The fixed seeds of <see cref="RandomDerivationOracleTests"/> must keep covering what the suite
/// claims to cover; a generator change that loses a case fails here (no Nix needed).
/// </summary>
public sealed class GeneratorCoverageTests
{
    private static readonly List<DrvBatch> Plain = RandomDerivationOracleTests.PlainSeeds.Select(s => RandomDerivationOracleTests.PlainBatch(s.Data)).ToList();

    private static readonly List<DrvBatch> Experimental = RandomDerivationOracleTests.ExperimentalSeeds.Select(s => RandomDerivationOracleTests.ExperimentalBatch(s.Data)).ToList();

    private static IEnumerable<DrvSpec> AllSpecs => Plain.Concat(Experimental).SelectMany(b => b.Drvs);

    [Fact]
    public void Batches_are_deterministic_and_large()
    {
        Assert.Equal(Plain[0].Source(), RandomDerivationOracleTests.PlainBatch(1).Source());
        Assert.True(AllSpecs.Count() >= 4000, $"only {AllSpecs.Count()} derivations");
        Assert.All(Plain.Concat(Experimental), b => Assert.InRange(b.Drvs.Count, 300, 600));
    }

    [Fact]
    public void Every_hash_algorithm_spelling_and_mode_is_generated()
    {
        var fixedSpecs = AllSpecs.Select(d => d.FixedHash).OfType<FixedHashSpec>().ToList();
        foreach (var algo in new[] { HashAlgorithmKind.Md5, HashAlgorithmKind.Sha1, HashAlgorithmKind.Sha256, HashAlgorithmKind.Sha512 })
        {
            foreach (var spelling in Enum.GetValues<HashSpelling>())
            {
                Assert.Contains(fixedSpecs, f => f.Algorithm == algo && f.Spelling == spelling);
            }
            foreach (var mode in new[] { null, "flat", "recursive" })
            {
                Assert.Contains(fixedSpecs, f => f.Algorithm == algo && f.Mode == mode);
            }
        }
        Assert.Contains(fixedSpecs, f => f.Spelling == HashSpelling.Sri && f.AlgoAttr == "");
        Assert.Contains(fixedSpecs, f => f.Spelling == HashSpelling.Sri && f.AlgoAttr is null);
        Assert.Contains(fixedSpecs, f => f.Spelling == HashSpelling.PrefixedNix32 && f.AlgoAttr is null);
    }

    [Fact]
    public void Graph_shapes_are_generated()
    {
        foreach (var batch in Plain.Concat(Experimental))
        {
            var byId = batch.Drvs.ToDictionary(d => d.Id);
            // Twins: two fixed-output specs with one name and digest, both used by one dependent.
            Assert.Contains(batch.Drvs, d =>
            {
                var deps = d.DirectDependencies().Select(id => byId[id]).Where(x => x.FixedHash is not null).ToList();
                return deps.Any(a => deps.Any(b => a != b && a.Name == b.Name && a.FixedHash!.Digest.SequenceEqual(b.FixedHash!.Digest)));
            });
            // Diamonds: some derivation reaches another along two different direct dependencies.
            Assert.Contains(batch.Drvs, d => d.DirectDependencies().Count() >= 2 &&
                d.DirectDependencies().SelectMany(id => byId[id].DirectDependencies()).GroupBy(x => x).Any(g => g.Count() >= 2));
        }
        Assert.True(Depth(Plain[0]) >= 50);
        var refs = AllSpecs.SelectMany(References).ToList();
        Assert.Contains(refs, r => r is DrvOutputRef { Output: not null and not "out" });
        Assert.Contains(refs, r => r is DrvOutputRef { Output: null });
        Assert.Contains(refs, r => r is DrvPathRef);
        Assert.Contains(refs, r => r is TextFileRef);
        Assert.Contains(refs, r => r is PathLiteralRef);
    }

    [Fact]
    public void Attribute_shapes_are_generated()
    {
        var specs = AllSpecs.ToList();
        Assert.Contains(specs, d => d.Structured && d.Kind == SpecKind.FixedOutput);
        Assert.Contains(specs, d => d.Structured && d.Attrs.Any(a => a.Value is AttrsValue { Attrs.Count: > 0 }));
        Assert.Contains(specs, d => d.IgnoreNulls && d.Attrs.Any(a => a.Value is NullValue));
        Assert.Contains(specs, d => d.Outputs.Count >= 3 && !d.Outputs.SequenceEqual(d.Outputs.Order(StringComparer.Ordinal)));
        Assert.Contains(specs, d => d.Name.Length == 207);
        Assert.Contains(specs, d => d.Name is "." or "..");
        Assert.Contains(specs, d => d.Kind == SpecKind.Floating);
        Assert.Contains(specs, d => d.Kind == SpecKind.Impure);
        var values = specs.SelectMany(d => d.Attrs.Select(a => a.Value).Concat(d.Args)).SelectMany(Flatten).ToList();
        Assert.Contains(values, v => v is FloatValue);
        Assert.Contains(values, v => v is ListValue { Items.Count: 0 });
        var text = values.SelectMany(v => v switch
        {
            StrValue s => [s.Bytes],
            InterpValue i => i.Parts.OfType<TextPart>().Select(t => t.Bytes),
            _ => [],
        }).Select(Encoding.UTF8.GetString).ToList();
        foreach (var needle in new[] { "\"", "\\", "\n", "\r", "\t", "${", "\u0001", "\u007f", "😀", "é" })
        {
            Assert.Contains(text, t => t.Contains(needle, StringComparison.Ordinal));
        }
        Assert.Contains(text, t => t.Length > 1000);
        Assert.Contains(specs, d => d.Attrs.Any(a => a.Key.Any(b => b < 0x20)));
    }

    private static int Depth(DrvBatch batch)
    {
        var byId = batch.Drvs.ToDictionary(d => d.Id);
        var memo = new Dictionary<string, int>();
        int Of(string id) => memo.TryGetValue(id, out var v) ? v : memo[id] = 1 + byId[id].DirectDependencies().Select(Of).DefaultIfEmpty(0).Max();
        return batch.Drvs.Max(d => Of(d.Id));
    }

    private static IEnumerable<StoreRef> References(DrvSpec spec) =>
        spec.Attrs.Select(a => a.Value).Concat(spec.Args).SelectMany(Flatten).SelectMany(v => v switch
        {
            RefValue r => [r.Ref],
            InterpValue i => i.Parts.OfType<RefPart>().Select(p => p.Ref),
            _ => [],
        });

    private static IEnumerable<NixValue> Flatten(NixValue value) => value switch
    {
        ListValue l => l.Items.SelectMany(Flatten).Prepend(value),
        AttrsValue a => a.Attrs.SelectMany(kv => Flatten(kv.Value)).Prepend(value),
        _ => [value],
    };
}
