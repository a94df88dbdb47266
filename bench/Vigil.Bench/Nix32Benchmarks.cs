using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Vigil.Nix.Hashing;

namespace Vigil.Bench;

/// <summary>Nix's base-32 for a store path hash part (20 bytes), sha256 (32) and sha512 (64).</summary>
[MemoryDiagnoser]
public class Nix32Benchmarks
{
    private byte[] _digest = [];
    private string _text = "";
    private readonly byte[] _utf8 = new byte[Nix32.EncodedLength(64)];

    [Params(20, 32, 64)]
    public int Bytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _digest = SHA512.HashData("vigil"u8)[..Bytes];
        _text = Nix32.Encode(_digest);
    }

    [Benchmark]
    public string Encode() => Nix32.Encode(_digest);

    [Benchmark]
    public int EncodeUtf8()
    {
        Nix32.EncodeUtf8(_digest, _utf8);
        return _utf8[0];
    }

    [Benchmark]
    public byte[] Decode() => Nix32.Decode(_text, Bytes);
}
