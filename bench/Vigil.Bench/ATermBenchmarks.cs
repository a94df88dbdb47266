using System.Buffers;
using BenchmarkDotNet.Attributes;
using Vigil.Nix.Derivations;

namespace Vigil.Bench;

/// <summary>Parsing and writing the ATerm of real derivations of several shapes.</summary>
[MemoryDiagnoser]
public class ATermBenchmarks
{
    private byte[] _bytes = [];
    private string _name = "";
    private Derivation? _drv;
    private readonly ArrayBufferWriter<byte> _buffer = new(1 << 16);

    /// <summary>
    /// builtin:fetchurl FOD, nixpkgs fetchurl FOD (mirror://), fetchgit FOD, mirrors-list (one
    /// env var per site), a package with three outputs, a structured-attrs package.
    /// </summary>
    [Params("busybox.drv", "unzip60.tar.gz.drv", "te-test-b63b8b0.drv", "mirrors-list.drv", "libsana-0.28.drv", "cry-graph-19.13.drv")]
    public string File { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var path = BenchData.PathOf(File);
        _bytes = BenchData.Files[path];
        _name = ATermReader.NameFromPath(path);
        _drv = ATermReader.Parse(_bytes, _name);
    }

    [Benchmark]
    public Derivation Parse() => ATermReader.Parse(_bytes, _name);

    [Benchmark]
    public int Write()
    {
        _buffer.ResetWrittenCount();
        ATermWriter.Write(_drv!, _buffer);
        return _buffer.WrittenCount;
    }
}
