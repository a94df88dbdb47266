using CsCheck;
using Vigil.Nix.Derivations;
using Vigil.Nix.Hashing;
using Vigil.Nix.Text;

namespace Vigil.Nix.Tests.Fuzz;

/// <summary>Generators of valid derivations in canonical form (sorted, unique), and a deep comparison.</summary>
internal static class DerivationModels
{
    private static readonly Gen<string> DrvPath = Gen.Select(StorePathFuzzTests.HashPart, StorePathFuzzTests.Name.Where(n => n.Length <= 207))
        .Select((hash, name) => "/nix/store/" + hash + "-" + name + ".drv");

    private static readonly Gen<string> SrcPath = StorePathFuzzTests.BaseName.Select(b => "/nix/store/" + b);

    private static readonly Gen<string> OutputName = Gen.Frequency(
        (4, Gen.OneOf("out", "dev", "lib", "bin", "man", "doc")),
        (1, StorePathFuzzTests.Name));

    /// <summary>Bytes with the ones the escaping printer cares about (and NUL, 0xFF) drawn often.</summary>
    public static readonly Gen<byte[]> Bytes = Gen.Frequency(
        (3, Gen.Byte),
        (2, Gen.OneOf((byte)'"', (byte)'\\', (byte)'\n', (byte)'\r', (byte)'\t', (byte)0, (byte)0xff, (byte)'(', (byte)',')))
        .Array[0, 24];

    /// <summary>The platform is written unescaped (as by Nix), so it cannot hold a quote or a backslash.</summary>
    private static readonly Gen<byte[]> Platform = Bytes.Select(b => b.Where(x => x != (byte)'"' && x != (byte)'\\').ToArray());

    private static readonly Gen<DerivationOutput> Output = Gen.Select(OutputName, Gen.Int[0, 4], SrcPath, NixHashFuzzTests.Algo, Gen.Bool, Gen.Byte.Array[64], Gen.Int[0, 3],
        (name, kind, path, algo, recursive, digest, spelling) =>
        {
            var algoText = (recursive ? "r:" : "") + algo.Name();
            var hash = new NixHash(algo, digest.AsSpan(0, algo.DigestSize()));
            var hashText = spelling switch
            {
                0 => hash.ToBase16(),
                1 => hash.ToBase16().ToUpperInvariant(),
                2 => hash.ToNix32(),
                _ => hash.ToBase64(),
            };
            return kind switch
            {
                0 => new DerivationOutput(name, path, "", ""),
                1 => new DerivationOutput(name, path, algoText, hashText),
                2 => new DerivationOutput(name, "", algoText, ""),
                3 => new DerivationOutput(name, "", "", ""),
                _ => new DerivationOutput(name, "", algoText, "impure"),
            };
        });

    private static readonly Gen<InputDerivation> Input = Gen.Select(DrvPath, OutputName.Array[0, 3])
        .Select((path, outputs) => new InputDerivation(path, outputs.Distinct().Order(StringComparer.Ordinal).ToArray()));

    private static readonly Gen<EnvVariable> Env = Gen.Select(Bytes, Bytes).Select((k, v) => new EnvVariable(k, v));

    public static readonly Gen<Derivation> Derivation = Gen.Select(
            StorePathFuzzTests.Name.Where(n => n.Length <= 200),
            Output.Array[0, 4],
            Input.Array[0, 3],
            SrcPath.Array[0, 3],
            Platform,
            Bytes,
            Bytes.Array[0, 5],
            Env.Array[0, 8],
            (name, outputs, inputs, srcs, platform, builder, args, env) => new Derivation(
            name,
            outputs.DistinctBy(o => o.Name).OrderBy(o => o.Name, StringComparer.Ordinal).ToArray(),
            inputs.DistinctBy(i => i.Path).OrderBy(i => i.Path, StringComparer.Ordinal).ToArray(),
            srcs.Distinct().Order(StringComparer.Ordinal).ToArray(),
            platform,
            builder,
            args,
            env.DistinctBy(e => Convert.ToHexString(e.Key)).OrderBy(e => e.Key, ByteStrings.Comparer).ToArray()));

    /// <summary>Field-by-field equality; cheap comparisons, since it runs thousands of times.</summary>
    public static void AssertEqual(Derivation expected, Derivation actual)
    {
        Assert.Equal(expected.Name, actual.Name);
        Assert.True(expected.Outputs.Count == actual.Outputs.Count, "output count");
        for (var i = 0; i < expected.Outputs.Count; i++)
        {
            var (e, a) = (expected.Outputs[i], actual.Outputs[i]);
            Assert.True(
                e.Name == a.Name && e.Path == a.Path && e.HashAlgo == a.HashAlgo && e.Hash == a.Hash && e.Kind == a.Kind && Equals(e.FixedHash, a.FixedHash),
                $"output {i} differs");
        }
        Assert.True(
            expected.InputDerivations.Select(i => i.Path + "!" + string.Join(',', i.Outputs))
                .SequenceEqual(actual.InputDerivations.Select(i => i.Path + "!" + string.Join(',', i.Outputs))),
            "input derivations differ");
        Assert.True(expected.InputSources.SequenceEqual(actual.InputSources), "input sources differ");
        Assert.True(expected.Platform.AsSpan().SequenceEqual(actual.Platform), "platform differs");
        Assert.True(expected.Builder.AsSpan().SequenceEqual(actual.Builder), "builder differs");
        Assert.True(expected.Args.Count == actual.Args.Count && expected.Args.Zip(actual.Args).All(p => p.First.AsSpan().SequenceEqual(p.Second)), "args differ");
        Assert.True(
            expected.Env.Count == actual.Env.Count
            && expected.Env.Zip(actual.Env).All(p => p.First.Key.AsSpan().SequenceEqual(p.Second.Key) && p.First.Value.AsSpan().SequenceEqual(p.Second.Value)),
            "env differs");
    }
}
