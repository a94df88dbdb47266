using System.Buffers;
using System.Net.Sockets;
using System.Security.Cryptography;
using Vigil.Nix.Hashing;
using Vigil.Nix.Nar;

namespace Vigil.Nix.Tests.Nar;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class NarWriterTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Make(NarVectors.Vector v)
    {
        var path = _dir.Combine(v.Name);
        v.Create(path);
        return path;
    }

    [Theory]
    [MemberData(nameof(NarVectors.Names), MemberType = typeof(NarVectors))]
    public void Vector_bytes_and_hashes_match_nix(string name)
    {
        var v = NarVectors.ByName(name);
        var nar = NarWriter.ToArray(Make(v));
        Assert.Equal(v.NarLength, nar.Length);
        if (v.NarHex is not null)
        {
            Assert.Equal(v.NarHex, Convert.ToHexStringLower(nar));
        }
        Assert.Equal(v.Sha256Hex, Convert.ToHexStringLower(SHA256.HashData(nar)));
        var hash = NarHasher.HashPath(_dir.Combine(v.Name), HashAlgorithmKind.Sha256);
        Assert.Equal(v.Sha256Hex, hash.ToBase16());
        Assert.Equal(v.Sha256Nix32, hash.ToNix32());
    }

    [Fact]
    public void Tree_is_the_documented_token_stream()
    {
        Assert.Equal(NarVectors.TreeFromTokens(), NarWriter.ToArray(Make(NarVectors.Tree)));
    }

    [Fact]
    public void Hello_txt_has_the_documented_sri_and_sha1()
    {
        var path = Make(NarVectors.HelloTxt);
        Assert.Equal("sha256-CkMIecJm+LV/QJKg+TXPP6zUi7zN5XYNR0jKQFFx6Wk=", NarHasher.HashPath(path, HashAlgorithmKind.Sha256).ToSri());
        Assert.Equal("5144612b23081da49ab008bd0b73960b6a2b7fe9", NarHasher.HashPath(path, HashAlgorithmKind.Sha1).ToBase16());
    }

    [Fact]
    public void Stream_and_buffer_writer_outputs_are_identical()
    {
        var path = Make(NarVectors.Tree);
        using var stream = new MemoryStream();
        NarWriter.Write(path, stream);
        var buffer = new ArrayBufferWriter<byte>(16);
        NarWriter.Write(path, buffer);
        Assert.Equal(stream.ToArray(), buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Only_the_owner_execute_bit_counts()
    {
        var path = _dir.Combine("f");
        File.WriteAllText(path, "x");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        var notExecutable = NarWriter.ToArray(path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var executable = NarWriter.ToArray(path);
        Assert.Equal(NarVectors.Exe.NarLength - 32, notExecutable.Length);
        Assert.Equal(NarVectors.Exe.NarHex, Convert.ToHexStringLower(executable));
    }

    [Fact]
    public void Symlinks_are_stored_not_followed_even_when_dangling()
    {
        var path = _dir.Combine("dangling");
        File.CreateSymbolicLink(path, "/nonexistent/target");
        var model = new NarModel.Link("/nonexistent/target"u8.ToArray());
        Assert.Equal(model.Encode(), NarWriter.ToArray(path));
    }

    [Fact]
    public void Files_larger_than_the_buffer_are_streamed_whole()
    {
        var contents = new byte[(3 * NarWriter.BufferSize) + 5];
        new Random(7).NextBytes(contents);
        var path = _dir.Combine("big");
        File.WriteAllBytes(path, contents);
        var expected = new NarModel.File(false, contents).Encode();
        Assert.Equal(expected, NarWriter.ToArray(path));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(expected)), NarHasher.HashPath(path, HashAlgorithmKind.Sha256).ToBase16());
        Assert.Equal(Convert.ToHexStringLower(SHA512.HashData(contents)), NarHasher.HashFile(path, HashAlgorithmKind.Sha512).ToBase16());
    }

    [Fact]
    public void Names_are_ordered_by_utf8_bytes_not_utf16()
    {
        // U+FF21 (EF BC A1) sorts before U+1F600 (F0 9F 98 80) in UTF-8, after it in UTF-16.
        var root = _dir.Combine("order");
        Directory.CreateDirectory(root);
        string[] names = ["\U0001F600", "\uFF21", "a", "B", "é"];
        foreach (var n in names)
        {
            File.WriteAllText(Path.Combine(root, n), n);
        }
        var nar = NarWriter.ToArray(root);
        var builder = new NarModel.Builder();
        NarReader.Read(nar, builder);
        var order = ((NarModel.Dir)builder.Root!).Entries.Select(e => System.Text.Encoding.UTF8.GetString(e.Name)).ToArray();
        Assert.Equal(["B", "a", "é", "\uFF21", "\U0001F600"], order);
    }

    [Fact]
    public void Sockets_are_rejected_with_the_path()
    {
        var root = _dir.Combine("withsocket");
        Directory.CreateDirectory(root);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(Path.Combine(root, "sock")));
        var e = Assert.Throws<IOException>(() => NarWriter.ToArray(root));
        Assert.Equal($"file '{root}/sock' has an unsupported type", e.Message);
    }

    [Fact]
    public void A_missing_path_is_reported_like_nix()
    {
        var e = Assert.Throws<IOException>(() => NarWriter.ToArray(_dir.Combine("missing")));
        Assert.Equal($"getting status of '{_dir.Combine("missing")}': No such file or directory", e.Message);
    }
}
