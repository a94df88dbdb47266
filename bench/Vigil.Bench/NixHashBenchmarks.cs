using BenchmarkDotNet.Attributes;
using Vigil.Nix.Hashing;

namespace Vigil.Bench;

/// <summary><c>NixHash.Parse</c> of a sha256 in each spelling Nix accepts.</summary>
[MemoryDiagnoser]
public class NixHashBenchmarks
{
    private string _text = "";
    private HashAlgorithmKind? _known;

    [Params("base16", "nix32", "base64", "sri", "prefixed-nix32", "prefixed-base16")]
    public string Spelling { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var hash = NixHash.Compute(HashAlgorithmKind.Sha256, "hello"u8);
        (_text, _known) = Spelling switch
        {
            "base16" => (hash.ToBase16(), HashAlgorithmKind.Sha256),
            "nix32" => (hash.ToNix32(), HashAlgorithmKind.Sha256),
            "base64" => (hash.ToBase64(), HashAlgorithmKind.Sha256),
            "sri" => (hash.ToSri(), (HashAlgorithmKind?)null),
            "prefixed-nix32" => ("sha256:" + hash.ToNix32(), null),
            "prefixed-base16" => ("sha256:" + hash.ToBase16(), null),
            _ => throw new ArgumentException(Spelling),
        };
    }

    [Benchmark]
    public NixHash Parse() => NixHash.Parse(_text, _known);
}
