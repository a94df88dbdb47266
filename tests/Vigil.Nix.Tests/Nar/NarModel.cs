using CsCheck;
using Vigil.Nix.Nar;

namespace Vigil.Nix.Tests.Nar;

/// <summary>
/// A NAR tree in memory, with its own straightforward encoder (written from the grammar, sharing no
/// code with the library) and a visitor that rebuilds a tree from reader events.
/// </summary>
internal abstract record NarModel
{
    public sealed record File(bool Executable, byte[] Contents) : NarModel;

    public sealed record Link(byte[] Target) : NarModel;

    /// <summary>Entries sorted by name bytes, names unique.</summary>
    public sealed record Dir(IReadOnlyList<(byte[] Name, NarModel Node)> Entries) : NarModel;

    public byte[] Encode()
    {
        var bytes = new List<byte>();
        AppendString(bytes, "nix-archive-1"u8);
        AppendNode(bytes, this);
        return [.. bytes];
    }

    public static void AppendString(List<byte> bytes, ReadOnlySpan<byte> s)
    {
        var length = (ulong)s.Length;
        for (var i = 0; i < 8; i++)
        {
            bytes.Add((byte)(length >> (8 * i)));
        }
        bytes.AddRange(s);
        while (bytes.Count % 8 != 0)
        {
            bytes.Add(0);
        }
    }

    private static void AppendNode(List<byte> bytes, NarModel node)
    {
        AppendString(bytes, "("u8);
        AppendString(bytes, "type"u8);
        switch (node)
        {
            case File f:
                AppendString(bytes, "regular"u8);
                if (f.Executable)
                {
                    AppendString(bytes, "executable"u8);
                    AppendString(bytes, ""u8);
                }
                AppendString(bytes, "contents"u8);
                AppendString(bytes, f.Contents);
                break;
            case Link l:
                AppendString(bytes, "symlink"u8);
                AppendString(bytes, "target"u8);
                AppendString(bytes, l.Target);
                break;
            case Dir d:
                AppendString(bytes, "directory"u8);
                foreach (var (name, child) in d.Entries)
                {
                    AppendString(bytes, "entry"u8);
                    AppendString(bytes, "("u8);
                    AppendString(bytes, "name"u8);
                    AppendString(bytes, name);
                    AppendString(bytes, "node"u8);
                    AppendNode(bytes, child);
                    AppendString(bytes, ")"u8);
                }
                break;
        }
        AppendString(bytes, ")"u8);
    }

    /// <summary>Random trees: odd byte names (high bytes, upper/lower case), empty and executable files, symlinks, empty directories.</summary>
    public static Gen<NarModel> Generator(int maxContents = 40) =>
        Gen.Recursive<NarModel>((depth, self) =>
        {
            var file = Gen.Select(Gen.Bool, Gen.Byte.Array[0, maxContents], (x, c) => (NarModel)new File(x, c));
            var link = Gen.Byte[1, 255].Where(b => b != 0).Array[1, 20].Select(t => (NarModel)new Link(t));
            if (depth >= 4)
            {
                return Gen.OneOf(file, link);
            }
            var name = Gen.Frequency(
                    (3, Gen.Byte[(byte)'A', (byte)'z'].Array[1, 6]),
                    (1, Gen.Byte[1, 255].Array[1, 10]))
                .Where(n => !n.AsSpan().Contains((byte)'/') && !n.AsSpan().SequenceEqual("."u8) && !n.AsSpan().SequenceEqual(".."u8));
            var dir = Gen.Select(name, self, (n, c) => (n, c)).Array[0, 5].Select(entries =>
                (NarModel)new Dir(entries
                    .DistinctBy(e => Convert.ToHexString(e.n))
                    .OrderBy(e => e.n, Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b)))
                    .ToList()));
            return Gen.Frequency((2, file), (1, link), (2, dir));
        });

    /// <summary>Rebuilds a tree from reader events.</summary>
    public sealed class Builder : INarVisitor
    {
        private readonly Stack<(byte[]? Name, List<(byte[], NarModel)> Entries)> _open = new();
        private byte[]? _pendingName;
        private MemoryStream? _contents;
        private bool _executable;

        public NarModel? Root { get; private set; }

        public void BeginRegular(bool executable, long size)
        {
            _executable = executable;
            _contents = new MemoryStream();
        }

        public void RegularContents(ReadOnlySpan<byte> chunk) => _contents!.Write(chunk);

        public void EndRegular() => Add(new File(_executable, _contents!.ToArray()));

        public void Symlink(ReadOnlySpan<byte> target) => Add(new Link(target.ToArray()));

        public void BeginDirectory()
        {
            _open.Push((_pendingName, []));
            _pendingName = null;
        }

        public void BeginEntry(ReadOnlySpan<byte> name) => _pendingName = name.ToArray();

        public void EndEntry()
        {
        }

        public void EndDirectory()
        {
            var (name, entries) = _open.Pop();
            _pendingName = name;
            Add(new Dir(entries));
        }

        private void Add(NarModel node)
        {
            if (_open.Count == 0)
            {
                Root = node;
            }
            else
            {
                _open.Peek().Entries.Add((_pendingName!, node));
            }
        }
    }

    /// <summary>Accepts every event and keeps nothing, counting content bytes.</summary>
    public sealed class NullVisitor : INarVisitor
    {
        public long Bytes { get; private set; }

        public void BeginRegular(bool executable, long size)
        {
        }

        public void RegularContents(ReadOnlySpan<byte> chunk) => Bytes += chunk.Length;

        public void EndRegular()
        {
        }

        public void Symlink(ReadOnlySpan<byte> target)
        {
        }

        public void BeginDirectory()
        {
        }

        public void BeginEntry(ReadOnlySpan<byte> name)
        {
        }

        public void EndEntry()
        {
        }

        public void EndDirectory()
        {
        }
    }
}
