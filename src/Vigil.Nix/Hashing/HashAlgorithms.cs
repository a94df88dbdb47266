using System.Security.Cryptography;

namespace Vigil.Nix.Hashing;

/// <summary>Names, sizes and one-shot digests of <see cref="HashAlgorithmKind"/>.</summary>
public static class HashAlgorithms
{
    public static int DigestSize(this HashAlgorithmKind algo) => algo switch
    {
        HashAlgorithmKind.Md5 => 16,
        HashAlgorithmKind.Sha1 => 20,
        HashAlgorithmKind.Sha256 => 32,
        HashAlgorithmKind.Sha512 => 64,
        _ => throw new ArgumentOutOfRangeException(nameof(algo)),
    };

    /// <summary>The name Nix prints and parses: lowercase only ("SHA256" is not a type to Nix 2.8).</summary>
    public static string Name(this HashAlgorithmKind algo) => algo switch
    {
        HashAlgorithmKind.Md5 => "md5",
        HashAlgorithmKind.Sha1 => "sha1",
        HashAlgorithmKind.Sha256 => "sha256",
        HashAlgorithmKind.Sha512 => "sha512",
        _ => throw new ArgumentOutOfRangeException(nameof(algo)),
    };

    public static bool TryParse(ReadOnlySpan<char> name, out HashAlgorithmKind algo)
    {
        switch (name)
        {
            case "md5": algo = HashAlgorithmKind.Md5; return true;
            case "sha1": algo = HashAlgorithmKind.Sha1; return true;
            case "sha256": algo = HashAlgorithmKind.Sha256; return true;
            case "sha512": algo = HashAlgorithmKind.Sha512; return true;
            default: algo = default; return false;
        }
    }

    public static HashAlgorithmKind Parse(string name) =>
        TryParse(name, out var algo)
            ? algo
            : throw new NixFormatException("hash", 0, $"unknown hash algorithm '{name}' (expected md5, sha1, sha256 or sha512)");

    public static byte[] Digest(HashAlgorithmKind algo, ReadOnlySpan<byte> data) => algo switch
    {
        HashAlgorithmKind.Md5 => MD5.HashData(data),
        HashAlgorithmKind.Sha1 => SHA1.HashData(data),
        HashAlgorithmKind.Sha256 => SHA256.HashData(data),
        HashAlgorithmKind.Sha512 => SHA512.HashData(data),
        _ => throw new ArgumentOutOfRangeException(nameof(algo)),
    };

    /// <summary>An incremental hasher for streaming (NAR, files) without buffering the input.</summary>
    public static IncrementalHash CreateIncremental(HashAlgorithmKind algo) => algo switch
    {
        HashAlgorithmKind.Md5 => IncrementalHash.CreateHash(HashAlgorithmName.MD5),
        HashAlgorithmKind.Sha1 => IncrementalHash.CreateHash(HashAlgorithmName.SHA1),
        HashAlgorithmKind.Sha256 => IncrementalHash.CreateHash(HashAlgorithmName.SHA256),
        HashAlgorithmKind.Sha512 => IncrementalHash.CreateHash(HashAlgorithmName.SHA512),
        _ => throw new ArgumentOutOfRangeException(nameof(algo)),
    };
}
