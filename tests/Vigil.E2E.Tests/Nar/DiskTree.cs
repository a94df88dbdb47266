using CsCheck;

namespace Vigil.E2E.Tests.Nar;

/// <summary>A tree to write to disk with .NET's own file APIs, so nix reads something our code did not make.</summary>
internal abstract record DiskTree
{
    public sealed record File(byte[] Contents, UnixFileMode Mode) : DiskTree;

    public sealed record Link(string Target) : DiskTree;

    public sealed record Dir(IReadOnlyList<(string Name, DiskTree Node)> Entries) : DiskTree;

    private const UnixFileMode Rw = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Modes where only the owner-execute bit decides "executable".</summary>
    private static readonly UnixFileMode[] Modes =
    [
        Rw | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
        Rw | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
        Rw | UnixFileMode.UserExecute,
        Rw | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute,
        UnixFileMode.UserRead,
    ];

    /// <summary>Names Nix orders by bytes: case, dots, spaces, and UTF-8 whose byte order differs from UTF-16's.</summary>
    private static readonly string[] OddNames =
    [
        "Z", "b.txt", "a", "A", "_", "-x", ".hidden", "..dots", "with space", "tab\there", "é", "日本語",
        "\uFF21", "\uE000", "\U0001F600", "\u00FF", "z\u0301", "CON", "a.b.c", "~", "#", "0", "00", "\u007F",
    ];

    private static readonly string[] Targets = ["b.txt", "../up", "/nix/store/foo", "dangling", "sub/a", ".", "..", "é/\U0001F600", "a b"];

    public static Gen<DiskTree> Generator { get; } = Gen.Recursive<DiskTree>((depth, self) =>
    {
        var contents = Gen.Frequency(
            (30, Gen.Byte.Array[0, 100]),
            (3, Gen.Const(Array.Empty<byte>())),
            (1, Gen.Int[(1 << 20) + 1, (1 << 20) + 70_000].Select(n =>
            {
                var bytes = new byte[n];
                new Random(n).NextBytes(bytes);
                return bytes;
            })));
        var file = Gen.Select(contents, Gen.Int[0, Modes.Length - 1], (c, m) => (DiskTree)new File(c, Modes[m]));
        var link = Gen.OneOf(
            Gen.Int[0, Targets.Length - 1].Select(i => Targets[i]),
            Gen.Char["abcé/."].Array[1, 12].Select(c => new string(c)).Where(t => t.Length > 0))
            .Select(t => (DiskTree)new Link(t));
        if (depth >= 3)
        {
            return Gen.Frequency((3, file), (1, link));
        }
        var name = Gen.Frequency(
            (2, Gen.Int[0, OddNames.Length - 1].Select(i => OddNames[i])),
            (1, Gen.Char["abcXYZ.-_é\uFF21"].Array[1, 8].Select(c => new string(c))))
            .Where(n => n != "." && n != "..");
        var dir = Gen.Select(name, self, (n, t) => (n, t)).Array[0, 6]
            .Select(e => (DiskTree)new Dir(e.DistinctBy(x => x.n, StringComparer.Ordinal).ToList()));
        return Gen.Frequency((3, file), (1, link), (3, dir));
    });

    public void WriteTo(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("trees are written with Unix modes and symlinks");
        }
        switch (this)
        {
            case File f:
                System.IO.File.WriteAllBytes(path, f.Contents);
                System.IO.File.SetUnixFileMode(path, f.Mode);
                break;
            case Link l:
                System.IO.File.CreateSymbolicLink(path, l.Target);
                break;
            case Dir d:
                Directory.CreateDirectory(path);
                foreach (var (name, node) in d.Entries)
                {
                    node.WriteTo(Path.Combine(path, name));
                }
                break;
        }
    }
}
