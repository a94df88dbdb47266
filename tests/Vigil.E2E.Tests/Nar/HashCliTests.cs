using System.Net.Sockets;

namespace Vigil.E2E.Tests.Nar;

/// <summary>How <c>vigil hash</c> and <c>vigil nar dump</c> behave on odd arguments, next to what nix does.</summary>
public sealed class HashCliTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "vigil-e2e-hashcli-" + Guid.NewGuid().ToString("N"));

    public HashCliTests()
    {
        Directory.CreateDirectory(_root);
        File.WriteAllText(P("hello.txt"), "hello");
        File.CreateSymbolicLink(P("link"), "hello.txt");
        File.CreateSymbolicLink(P("dangling"), "missing");
        Directory.CreateDirectory(P("dir"));
        File.WriteAllText(P("dir/x"), "x");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string P(string name) => Path.Combine(_root, name);

    [Fact]
    public async Task Default_type_is_sha256_and_default_encoding_base16()
    {
        var ours = await Tools.Vigil("hash", P("hello.txt"));
        Assert.Equal("0a430879c266f8b57f4092a0f935cf3facd48bbccde5760d4748ca405171e969\n", ours.Text);
        Assert.Equal("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\n", (await Tools.Vigil("hash", "--flat", P("hello.txt"))).Text);
    }

    [Fact]
    public async Task Last_encoding_flag_wins_as_in_nix_hash_path()
    {
        Assert.Equal("sha256-CkMIecJm+LV/QJKg+TXPP6zUi7zN5XYNR0jKQFFx6Wk=\n", (await Tools.Vigil("hash", "--base32", "--sri", P("hello.txt"))).Text);
        Assert.Equal("0sg9f58l1jj88w6pdrfdpj5x9b1zrwszk84j81zvby36q9whhhqa\n", (await Tools.Vigil("hash", "--sri", "--base32", P("hello.txt"))).Text);
        Assert.Equal("0a430879c266f8b57f4092a0f935cf3facd48bbccde5760d4748ca405171e969\n", (await Tools.Vigil("hash", "--base32", "--base16", P("hello.txt"))).Text);
    }

    [Theory]
    [InlineData("link")]
    [InlineData("dangling")]
    [InlineData("dir")]
    public async Task Symlink_and_directory_arguments_hash_as_nix_hash_does(string name)
    {
        Assert.SkipWhen(!Tools.NixAvailable, "nix is not installed");
        var nix = await Tools.Nix("nix-hash", "--type", "sha256", P(name));
        var ours = await Tools.Vigil("hash", P(name));
        Assert.Equal(nix.Text, ours.Text);
        nix = await Tools.Nix("nix-hash", "--type", "sha1", "--flat", P(name));
        ours = await Tools.Vigil("hash", "--type", "sha1", "--flat", P(name));
        Assert.Equal(nix.Text, ours.Text);
        Assert.Equal(nix.Exit == 0 ? 0 : 2, ours.Exit);
    }

    [Fact]
    public async Task A_missing_path_prints_the_hashes_before_it_then_one_error_line()
    {
        Assert.SkipWhen(!Tools.NixAvailable, "nix is not installed");
        string[] args = ["--type", "sha256", P("hello.txt"), P("missing"), P("link")];
        var nix = await Tools.Nix("nix-hash", args);
        var ours = await Tools.Vigil(["hash", .. args]);
        Assert.Equal(1, nix.Exit);
        Assert.Equal(2, ours.Exit);
        Assert.Equal(nix.Text, ours.Text);
        Assert.Equal(Tools.ErrorMessage(nix.Stderr), Tools.ErrorMessage(ours.Stderr));
    }

    [Theory]
    [InlineData("dangling")]
    [InlineData("missing")]
    public async Task Flat_errors_read_like_nix(string name)
    {
        Assert.SkipWhen(!Tools.NixAvailable, "nix is not installed");
        var nix = await Tools.Nix("nix-hash", "--flat", P(name));
        var ours = await Tools.Vigil("hash", "--flat", P(name));
        Assert.Equal(2, ours.Exit);
        Assert.Equal(Tools.ErrorMessage(nix.Stderr), Tools.ErrorMessage(ours.Stderr));
    }

    [Fact]
    public async Task Bad_type_and_no_paths()
    {
        var bad = await Tools.Vigil("hash", "--type", "SHA256", P("hello.txt"));
        Assert.Equal(2, bad.Exit);
        Assert.Empty(bad.Stdout);
        Assert.StartsWith("unknown hash algorithm 'SHA256'", Tools.ErrorMessage(bad.Stderr), StringComparison.Ordinal);
        var none = await Tools.Vigil("hash");
        Assert.Equal(0, none.Exit);
        Assert.Empty(none.Stdout);
    }

    [Fact]
    public async Task The_last_type_counts_as_in_nix_hash()
    {
        Assert.Equal("5144612b23081da49ab008bd0b73960b6a2b7fe9\n", (await Tools.Vigil("hash", "--type", "md5", "--type", "sha1", P("hello.txt"))).Text);
    }

    [Fact]
    public async Task Truncate_folds_like_nix_hash()
    {
        Assert.Equal("c7a67e74852e32f52e317bc9f935cf3facd48bbc\n", (await Tools.Vigil("hash", "--truncate", P("hello.txt"))).Text);
        Assert.Equal("pj5x9b1zrwszkjbv64pgacifhms7x9n7\n", (await Tools.Vigil("hash", "--truncate", "--base32", P("hello.txt"))).Text);
        Assert.Equal(2, (await Tools.Vigil("hash", "--truncate", "--sri", P("hello.txt"))).Exit);
    }

    [Fact]
    public async Task Nar_dump_errors_match_nix_store()
    {
        Assert.SkipWhen(!Tools.NixAvailable, "nix is not installed");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(P("dir/sock")));
        foreach (var name in new[] { "missing", "dir" })
        {
            var nix = await Tools.Nix("nix-store", "--dump", P(name));
            var ours = await Tools.Vigil("nar", "dump", P(name));
            Assert.Equal(1, nix.Exit);
            Assert.Equal(2, ours.Exit);
            Assert.Equal(Tools.ErrorMessage(nix.Stderr), Tools.ErrorMessage(ours.Stderr));
        }
    }
}
