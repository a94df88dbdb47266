using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Vigil.Nix.Fetchers;

/// <summary>Lowercase hex SHA-256 of a string's UTF-8 bytes, encoded into a pooled buffer rather than a new array.</summary>
internal static class Sha256Hex
{
    internal delegate void Edit(Span<byte> utf8);

    internal static string OfUtf8(string text, Edit? edit = null)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            var bytes = buffer.AsSpan(0, Encoding.UTF8.GetBytes(text, buffer));
            edit?.Invoke(bytes);
            Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(bytes, digest);
            return Convert.ToHexStringLower(digest);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
