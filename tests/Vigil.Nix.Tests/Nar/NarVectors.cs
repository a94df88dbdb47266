using System.Text;

namespace Vigil.Nix.Tests.Nar;

/// <summary>The objects of docs/nix-formats.md §5.2, made on disk, with what Nix 2.8 printed for them.</summary>
internal static class NarVectors
{
    public sealed record Vector(string Name, Action<string> Create, int NarLength, string Sha256Hex, string Sha256Nix32, string? NarHex);

    public static readonly Vector HelloTxt = new(
        "hello.txt",
        p => WriteFile(p, "hello", executable: false),
        120,
        "0a430879c266f8b57f4092a0f935cf3facd48bbccde5760d4748ca405171e969",
        "0sg9f58l1jj88w6pdrfdpj5x9b1zrwszk84j81zvby36q9whhhqa",
        "0d000000000000006e69782d617263686976652d3100000001000000000000002800000000000000040000000000000074797065000000000700000000000000726567756c6172000800000000000000636f6e74656e7473050000000000000068656c6c6f00000001000000000000002900000000000000");

    public static readonly Vector Empty = new(
        "empty",
        p => WriteFile(p, "", executable: false),
        112,
        "77ac62e2629d8e45f624589c0c8bf99e24b3a722349bf1e79bc186008534e246",
        "0ip26j2h11n1kgkz36rl4akv694yz65hr72q4kv4b3lxcbi65b3p",
        "0d000000000000006e69782d617263686976652d3100000001000000000000002800000000000000040000000000000074797065000000000700000000000000726567756c6172000800000000000000636f6e74656e7473000000000000000001000000000000002900000000000000");

    public static readonly Vector Exe = new(
        "exe",
        p => WriteFile(p, "x", executable: true),
        152,
        "f07b7b92bd7913e8ade1d804acbc8f938d47641bf65cef93a9472dc74099c3e1",
        "1qf3k50cfba7m69yyp7n3dj4g3ckiyyaq16qw6nyh4vrpn97nyzh",
        "0d000000000000006e69782d617263686976652d3100000001000000000000002800000000000000040000000000000074797065000000000700000000000000726567756c6172000a0000000000000065786563757461626c6500000000000000000000000000000800000000000000636f6e74656e74730100000000000000780000000000000001000000000000002900000000000000");

    public static readonly Vector TopLink = new(
        "toplink",
        p => File.CreateSymbolicLink(p, "/nix/store/foo"),
        128,
        "3a2f661cd7f68c99dfbcf9ff2dba34001f2ea2d56cf17159d1522e24ca9838a3",
        "18rqk3528bjjs5cp3wbcsni2w7q06jx2vzzrpkgrk37nswf6cbrs",
        "0d000000000000006e69782d617263686976652d310000000100000000000000280000000000000004000000000000007479706500000000070000000000000073796d6c696e6b00060000000000000074617267657400000e000000000000002f6e69782f73746f72652f666f6f000001000000000000002900000000000000");

    public static readonly Vector EmptyDir = new(
        "emptydir",
        p => Directory.CreateDirectory(p),
        96,
        "a50a5ab6d992f5598edd92105059fae9acfc192981e08bd88534c2167e92526a",
        "0sjjj9z1dhilhpc8pq4154czrb79z9cm044jvn75kxcjv6v5l2m5",
        "0d000000000000006e69782d617263686976652d31000000010000000000000028000000000000000400000000000000747970650000000009000000000000006469726563746f72790000000000000001000000000000002900000000000000");

    /// <summary><c>Z</c> sorts before <c>b.txt</c>: byte order, not case-insensitive order.</summary>
    public static readonly Vector Tree = new(
        "tree",
        p =>
        {
            Directory.CreateDirectory(p);
            WriteFile(Path.Combine(p, "Z"), "upper", executable: false);
            WriteFile(Path.Combine(p, "b.txt"), "b\n", executable: false);
            File.CreateSymbolicLink(Path.Combine(p, "link"), "b.txt");
            WriteFile(Path.Combine(p, "run.sh"), "#!/bin/sh\necho hi\n", executable: true);
            Directory.CreateDirectory(Path.Combine(p, "sub"));
            WriteFile(Path.Combine(p, "sub", "a"), "", executable: false);
        },
        1264,
        "eddd0ea22cf2c7010a4a926c1aab4b5145bf2720cbaa55afc6f05704934a8f8c",
        "134g9a9h8mzhqspmbanb40kvyiai9fmilv4j98503izj5ji0xpgd",
        null);

    public static IEnumerable<Vector> All => [HelloTxt, Empty, Exe, TopLink, EmptyDir, Tree];

    public static TheoryData<string> Names => new(All.Select(v => v.Name));

    public static Vector ByName(string name) => All.Single(v => v.Name == name);

    /// <summary>The token stream the document gives for <c>tree</c>, encoded by hand.</summary>
    public static byte[] TreeFromTokens()
    {
        var tokens = new List<string>
        {
            "nix-archive-1", "(", "type", "directory",
            "entry", "(", "name", "Z", "node", "(", "type", "regular", "contents", "upper", ")", ")",
            "entry", "(", "name", "b.txt", "node", "(", "type", "regular", "contents", "b\n", ")", ")",
            "entry", "(", "name", "link", "node", "(", "type", "symlink", "target", "b.txt", ")", ")",
            "entry", "(", "name", "run.sh", "node", "(", "type", "regular", "executable", "", "contents", "#!/bin/sh\necho hi\n", ")", ")",
            "entry", "(", "name", "sub", "node", "(", "type", "directory",
            "entry", "(", "name", "a", "node", "(", "type", "regular", "contents", "", ")", ")",
            ")", ")",
            ")",
        };
        var bytes = new List<byte>();
        foreach (var t in tokens)
        {
            NarModel.AppendString(bytes, Encoding.UTF8.GetBytes(t));
        }
        return [.. bytes];
    }

    public static void WriteFile(string path, string contents, bool executable)
    {
        File.WriteAllText(path, contents);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("NAR trees need Unix file modes");
        }
        File.SetUnixFileMode(path, executable
            ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute
            : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }
}
