using System.Security.Cryptography;
using Vigil.Nix.Hashing;
using Vigil.Nix.Nar;

namespace Vigil.Nix.Tests.Nar;

public sealed class NarHasherTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(HashAlgorithmKind.Md5, "5d41402abc4b2a76b9719d911017c592")]
    [InlineData(HashAlgorithmKind.Sha1, "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d")]
    [InlineData(HashAlgorithmKind.Sha256, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")]
    [InlineData(HashAlgorithmKind.Sha512, "9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043")]
    public void Flat_hash_is_the_hash_of_the_bytes_through_symlinks(HashAlgorithmKind algorithm, string hex)
    {
        var file = _dir.Combine("hello.txt");
        File.WriteAllText(file, "hello");
        File.CreateSymbolicLink(_dir.Combine("link"), "hello.txt");
        Assert.Equal(hex, NarHasher.HashFile(file, algorithm).ToBase16());
        Assert.Equal(hex, NarHasher.HashFile(_dir.Combine("link"), algorithm).ToBase16());
    }

    [Fact]
    public void Flat_hash_of_a_directory_fails()
    {
        var e = Assert.Throws<IOException>(() => NarHasher.HashFile(_dir.Path, HashAlgorithmKind.Sha256));
        Assert.Contains("Is a directory", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_algorithm_hashes_the_nar_bytes()
    {
        NarVectors.Tree.Create(_dir.Combine("tree"));
        var nar = NarWriter.ToArray(_dir.Combine("tree"));
        foreach (var algorithm in Enum.GetValues<HashAlgorithmKind>())
        {
            Assert.Equal(HashAlgorithms.Digest(algorithm, nar), NarHasher.HashPath(_dir.Combine("tree"), algorithm).Digest.ToArray());
        }
    }

    [Fact]
    public void Many_paths_keep_their_order_and_errors_stay_with_their_path()
    {
        var paths = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            var p = _dir.Combine($"t{i}");
            if (i % 50 == 7)
            {
                paths.Add(p + "-missing");
                continue;
            }
            Directory.CreateDirectory(p);
            File.WriteAllText(Path.Combine(p, "f"), new string('x', i * 997));
            paths.Add(p);
        }
        var results = NarHasher.HashPaths(paths, HashAlgorithmKind.Sha256);
        Assert.Equal(paths.Count, results.Length);
        for (var i = 0; i < paths.Count; i++)
        {
            Assert.Equal(paths[i], results[i].Path);
            if (paths[i].EndsWith("-missing", StringComparison.Ordinal))
            {
                Assert.Null(results[i].Hash);
                Assert.IsType<IOException>(results[i].Error);
            }
            else
            {
                Assert.Null(results[i].Error);
                Assert.Equal(NarHasher.HashPath(paths[i], HashAlgorithmKind.Sha256), results[i].Hash);
            }
        }
    }

    [Fact]
    public void A_failed_path_leaves_nothing_behind_for_the_next_one_on_the_same_worker()
    {
        // One worker: the failing tree (big file, then a socket) is hashed first, the good one after.
        var bad = _dir.Combine("bad");
        Directory.CreateDirectory(bad);
        File.WriteAllBytes(Path.Combine(bad, "a"), new byte[3 << 20]);
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(Path.Combine(bad, "b")));
        NarVectors.HelloTxt.Create(_dir.Combine("hello.txt"));
        var results = NarHasher.HashPaths([bad, _dir.Combine("hello.txt")], HashAlgorithmKind.Sha256, maxDegreeOfParallelism: 1);
        Assert.NotNull(results[0].Error);
        Assert.Throws<IOException>(() => NarHasher.HashPath(bad, HashAlgorithmKind.Sha256));
        Assert.Equal(NarVectors.HelloTxt.Sha256Hex, results[1].Hash!.ToBase16());
    }

    [Fact]
    public void Large_trees_hash_the_same_pipelined_or_not()
    {
        var root = _dir.Combine("big");
        Directory.CreateDirectory(root);
        var random = new Random(3);
        for (var i = 0; i < 12; i++)
        {
            var bytes = new byte[random.Next(0, 900_000)];
            random.NextBytes(bytes);
            File.WriteAllBytes(Path.Combine(root, $"f{i}"), bytes);
        }
        var expected = Convert.ToHexStringLower(SHA256.HashData(NarWriter.ToArray(root)));
        Assert.Equal(expected, NarHasher.HashPath(root, HashAlgorithmKind.Sha256).ToBase16());
        Assert.Equal(expected, NarHasher.HashPaths([root], HashAlgorithmKind.Sha256)[0].Hash!.ToBase16());
    }
}
