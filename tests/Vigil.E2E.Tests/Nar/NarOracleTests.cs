using System.Text;
using CsCheck;
using Vigil.Nix.Hashing;
using Vigil.Nix.Nar;

namespace Vigil.E2E.Tests.Nar;

/// <summary>
/// Random trees on disk, serialised and hashed by real Nix 2.8 (<c>nix-store --dump</c>,
/// <c>nix-hash</c>, <c>nix hash path --sri</c>) and by <c>vigil</c>: the bytes and the printed lines
/// must be identical.
/// </summary>
public sealed class NarOracleTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "vigil-e2e-nar-" + Guid.NewGuid().ToString("N"));

    public NarOracleTests() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        // rm, not Directory.Delete: .NET cannot name the files whose names are not UTF-8.
        using var rm = System.Diagnostics.Process.Start("rm", ["-rf", "--", _root]);
        rm.WaitForExit();
    }

    private static readonly string[] Types = ["md5", "sha1", "sha256", "sha512"];

    [Fact]
    public async Task Random_trees_dump_and_hash_exactly_as_nix()
    {
        Assert.SkipWhen(!Tools.NixAvailable, "nix is not installed");
        var count = 0;
        var gen = Gen.Select(DiskTree.Generator, Gen.Int[0, Types.Length - 1], Gen.Int[0, 2], (tree, type, encoding) => (tree, type, encoding));
        await gen.SampleAsync(async t =>
        {
            var path = Path.Combine(_root, $"t{Interlocked.Increment(ref count)}");
            t.tree.WriteTo(path);

            var nix = await Tools.Nix("nix-store", "--dump", path);
            Assert.Equal(0, nix.Exit);
            var ours = await Tools.Vigil("nar", "dump", path);
            Assert.Equal(0, ours.Exit);
            Assert.Equal(nix.Stdout, ours.Stdout);

            // One flag combination per tree; over the sample every one is covered.
            var type = Types[t.type];
            string[] flags = t.encoding switch
            {
                0 => ["--type", type],
                1 => ["--type", type, "--base32"],
                _ => t.tree is DiskTree.File ? ["--type", type, "--flat"] : ["--type", type, "--truncate"],
            };
            var nixHash = await Tools.Nix("nix-hash", [.. flags, path]);
            var ourHash = await Tools.Vigil(["hash", .. flags, path]);
            Assert.Equal(0, nixHash.Exit);
            Assert.Equal(0, ourHash.Exit);
            Assert.Equal(nixHash.Text, ourHash.Text);
            if (t.tree is DiskTree.Dir)
            {
                Directory.Delete(path, recursive: true);
            }
            else
            {
                File.Delete(path);
            }
        }, iter: 100);
    }

    [Fact]
    public async Task Many_paths_in_one_call_print_what_nix_hash_prints_for_each()
    {
        Assert.SkipWhen(!Tools.NixAvailable, "nix is not installed");
        var trees = DiskTree.Generator.Array[60].Single();
        var paths = trees.Select((tree, i) =>
        {
            var p = Path.Combine(_root, $"m{i}");
            tree.WriteTo(p);
            return p;
        }).ToArray();
        foreach (var flags in new[] { new[] { "--type", "sha256" }, ["--type", "sha512", "--base32"], ["--type", "md5"] })
        {
            var nix = await Tools.Nix("nix-hash", [.. flags, .. paths]);
            var ours = await Tools.Vigil(["hash", .. flags, .. paths]);
            Assert.Equal(0, ours.Exit);
            Assert.Equal(nix.Text, ours.Text);
        }
    }

    [Fact]
    public async Task Sri_is_what_nix_hash_path_prints()
    {
        Assert.SkipWhen(!Tools.NixAvailable, "nix is not installed");
        var tree = Path.Combine(_root, "tree");
        Directory.CreateDirectory(tree);
        await File.WriteAllTextAsync(Path.Combine(tree, "a"), "a");
        File.CreateSymbolicLink(Path.Combine(tree, "l"), "a");
        foreach (var type in Types)
        {
            var nix = await Tools.Nix("nix", "--extra-experimental-features", "nix-command", "hash", "path", "--type", type, "--sri", tree);
            var ours = await Tools.Vigil("hash", "--type", type, "--sri", tree);
            Assert.Equal(nix.Text, ours.Text);
            nix = await Tools.Nix("nix", "--extra-experimental-features", "nix-command", "hash", "file", "--type", type, "--sri", Path.Combine(tree, "a"));
            ours = await Tools.Vigil("hash", "--type", type, "--sri", "--flat", Path.Combine(tree, "a"));
            Assert.Equal(nix.Text, ours.Text);
        }
    }

    [Fact]
    public async Task Names_and_targets_that_are_not_utf8_match_nix()
    {
        Assert.SkipWhen(!Tools.NixAvailable, "nix is not installed");
        // .NET cannot create such names, so the tree comes from a NAR restored through libc.
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        var encoder = new NarEncoder(output);
        encoder.BeginDirectory();
        foreach (var (name, i) in new[] { "A"u8.ToArray(), [0x66, 0x6f, 0xff], [0xc3, 0x28], [0xff, 0xfe] }.Select((n, i) => (n, i)))
        {
            encoder.BeginEntry(name);
            if (i == 2)
            {
                encoder.Symlink([0xfe, 0x2f, 0x80]);
            }
            else
            {
                encoder.BeginRegular(i == 1, 1);
                encoder.RegularContents([(byte)i]);
                encoder.EndRegular();
            }
            encoder.EndEntry();
        }
        encoder.EndDirectory();
        var nar = output.WrittenSpan.ToArray();
        var path = Path.Combine(_root, "bytes");
        NarRestorer.Restore(new MemoryStream(nar), path);

        var nix = await Tools.Nix("nix-store", "--dump", path);
        Assert.Equal(nar, nix.Stdout);
        Assert.Equal(nar, (await Tools.Vigil("nar", "dump", path)).Stdout);
        Assert.Equal((await Tools.Nix("nix-hash", "--type", "sha256", path)).Text, (await Tools.Vigil("hash", path)).Text);
        Assert.Equal(HashAlgorithms.Digest(HashAlgorithmKind.Sha256, nar), NarHasher.HashPath(path, HashAlgorithmKind.Sha256).Digest.ToArray());
    }
}
