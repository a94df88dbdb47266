using System.Buffers.Binary;
using System.Text;

namespace Vigil.Nix.Nar;

/// <summary>
/// The fixed words of the NAR grammar (docs/nix-formats.md §5.1), raw for the reader to compare and
/// pre-encoded (length, bytes, zero padding) for the encoder to copy in one go.
/// </summary>
internal static class NarTokens
{
    public static ReadOnlySpan<byte> Magic => "nix-archive-1"u8;

    public static ReadOnlySpan<byte> Open => "("u8;

    public static ReadOnlySpan<byte> Close => ")"u8;

    public static ReadOnlySpan<byte> Type => "type"u8;

    public static ReadOnlySpan<byte> Regular => "regular"u8;

    public static ReadOnlySpan<byte> Executable => "executable"u8;

    public static ReadOnlySpan<byte> Contents => "contents"u8;

    public static ReadOnlySpan<byte> Symlink => "symlink"u8;

    public static ReadOnlySpan<byte> Target => "target"u8;

    public static ReadOnlySpan<byte> Directory => "directory"u8;

    public static ReadOnlySpan<byte> Entry => "entry"u8;

    public static ReadOnlySpan<byte> Name => "name"u8;

    public static ReadOnlySpan<byte> Node => "node"u8;

    /// <summary>No tag is longer than this; a longer length where a tag belongs is rejected before reading it.</summary>
    public const int MaxTagLength = 16;

    public static readonly byte[] EncodedMagic = Encode("nix-archive-1");
    public static readonly byte[] EncodedRegular = Encode("(", "type", "regular");
    public static readonly byte[] EncodedExecutable = Encode("executable", "");
    public static readonly byte[] EncodedContents = Encode("contents");
    public static readonly byte[] EncodedSymlink = Encode("(", "type", "symlink", "target");
    public static readonly byte[] EncodedDirectory = Encode("(", "type", "directory");
    public static readonly byte[] EncodedEntry = Encode("entry", "(", "name");
    public static readonly byte[] EncodedNode = Encode("node");
    public static readonly byte[] EncodedClose = Encode(")");

    /// <summary>Zero bytes needed after <paramref name="length"/> bytes to reach a multiple of 8.</summary>
    public static int Padding(ulong length) => (int)((8 - (length & 7)) & 7);

    /// <summary>Bytes <c>str(s)</c> takes for an <paramref name="length"/>-byte string.</summary>
    public static int EncodedLength(int length) => 8 + length + Padding((ulong)length);

    /// <summary>Writes <c>str(s)</c>: u64 LE length, the bytes, zero padding. Returns the bytes written.</summary>
    public static int WriteString(Span<byte> destination, ReadOnlySpan<byte> s)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, (ulong)s.Length);
        s.CopyTo(destination[8..]);
        var padding = Padding((ulong)s.Length);
        destination.Slice(8 + s.Length, padding).Clear();
        return 8 + s.Length + padding;
    }

    private static byte[] Encode(params string[] tokens)
    {
        var bytes = tokens.Select(Encoding.ASCII.GetBytes).ToArray();
        var result = new byte[bytes.Sum(b => EncodedLength(b.Length))];
        var at = 0;
        foreach (var b in bytes)
        {
            at += WriteString(result.AsSpan(at), b);
        }
        return result;
    }
}
