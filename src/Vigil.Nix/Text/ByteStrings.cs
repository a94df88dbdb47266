using System.Text;

namespace Vigil.Nix.Text;

/// <summary>
/// Nix strings are byte strings, ordered byte-wise (C++ std::string). These helpers keep that
/// order; UTF-16 ordinal comparison differs from UTF-8 byte order above U+E000.
/// </summary>
public static class ByteStrings
{
    public static readonly IComparer<byte[]> Comparer = Comparer<byte[]>.Create(static (a, b) => a.AsSpan().SequenceCompareTo(b));

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Decodes for display; invalid UTF-8 becomes U+FFFD, so never use the result as a key.</summary>
    public static string Display(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
