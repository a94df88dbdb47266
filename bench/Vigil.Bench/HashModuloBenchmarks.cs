using BenchmarkDotNet.Attributes;
using Vigil.Nix.Derivations;

namespace Vigil.Bench;

/// <summary>
/// <c>hashDerivationModulo</c>: a package's whole closure from scratch (64 derivations: the
/// bootstrap chain, tools, fetchers, libraries), the same package with its inputs already hashed
/// (the per-drv cost in a closure walk), and a fixed-output derivation.
/// </summary>
[MemoryDiagnoser]
public class HashModuloBenchmarks
{
    private Dictionary<string, Derivation> _parsed = [];
    private Derivation? _package;
    private Derivation? _fod;
    private DerivationHasher? _warm;

    [GlobalSetup]
    public void Setup()
    {
        _parsed = BenchData.Files.Keys.ToDictionary(p => p, BenchData.Parse, StringComparer.Ordinal);
        _package = _parsed[BenchData.PathOf("tari-0.21.3.drv")];
        _fod = _parsed[BenchData.PathOf("unzip60.tar.gz.drv")];
        _warm = new DerivationHasher(p => _parsed[p]);
        _warm.HashModulo(_package, mask: true);
    }

    [Benchmark]
    public byte[] Closure() => new DerivationHasher(p => _parsed[p]).HashModulo(_package!, mask: true);

    [Benchmark]
    public byte[] OnePackage() => _warm!.HashModulo(_package!, mask: true);

    [Benchmark]
    public byte[] FixedOutput() => _warm!.HashModulo(_fod!, mask: true);
}
