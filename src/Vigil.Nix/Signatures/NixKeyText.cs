using System.Buffers.Text;

namespace Vigil.Nix.Signatures;

/// <summary>
/// The one text shape shared by Nix secret keys, public keys and signatures: <c>name:base64</c>,
/// split at the first colon (so a name cannot hold one). Nix's own base64 decoder is lax (it stops
/// at '=', skips newlines); every key and signature Nix writes is canonical padded base64 of a
/// fixed size, so anything else is rejected here rather than guessed at.
/// </summary>
internal static class NixKeyText
{
    public const string FormatName = "signature";

    /// <summary>Longer than any real key name plus the 88 base64 characters of a signature.</summary>
    public const int MaxLength = 4096;

    public static (string Name, byte[] Bytes) Parse(string text, int size, string what)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxLength)
        {
            throw new NixFormatException(FormatName, MaxLength, $"{what} is {text.Length} characters, more than the {MaxLength}-character limit");
        }
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            throw new NixFormatException(FormatName, 0, $"{what} is not of the form NAME:BASE64 (no colon)");
        }
        if (CheckName(text.AsSpan(0, colon)) is { } bad)
        {
            throw new NixFormatException(FormatName, bad.Position, $"{what} {bad.Reason}");
        }
        var bytes = DecodeBase64(text.AsSpan(colon + 1), size, colon + 1, what);
        return (text[..colon], bytes);
    }

    /// <summary>
    /// A key name is what <c>trusted-public-keys</c> can list: non-empty, no colon, and no space or
    /// control character, since the setting is split on whitespace.
    /// </summary>
    public static (int Position, string Reason)? CheckName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty)
        {
            return (0, "has an empty key name");
        }
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c == ':' || char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return (i, $"has illegal character U+{(int)c:X4} in its key name");
            }
        }
        return null;
    }

    public static void ValidateName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (CheckName(name) is { } bad)
        {
            throw new ArgumentException($"'{name}' is not a valid key name: {bad.Reason}", nameof(name));
        }
    }

    public static string Render(string name, ReadOnlySpan<byte> bytes) => name + ":" + Convert.ToBase64String(bytes);

    private static byte[] DecodeBase64(ReadOnlySpan<char> encoded, int size, int offset, string what)
    {
        var expected = ((size + 2) / 3) * 4;
        if (encoded.Length != expected)
        {
            throw new NixFormatException(FormatName, offset, $"{what} must hold {expected} base64 characters ({size} bytes), not {encoded.Length}");
        }
        var padding = (3 - (size % 3)) % 3;
        for (var i = 0; i < encoded.Length; i++)
        {
            var c = encoded[i];
            var ok = i >= encoded.Length - padding
                ? c == '='
                : c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '+' or '/';
            if (!ok)
            {
                throw new NixFormatException(FormatName, offset + i, $"{what} has '{c}' where base64 is expected");
            }
        }
        var bytes = new byte[size];
        if (!Convert.TryFromBase64Chars(encoded, bytes, out var written) || written != size)
        {
            throw new NixFormatException(FormatName, offset, $"{what} is not valid base64");
        }
        // Unused low bits of the last digit must be zero, or two texts would name one key.
        Span<byte> canonical = stackalloc byte[Base64.GetMaxEncodedToUtf8Length(size)];
        Base64.EncodeToUtf8(bytes, canonical, out _, out var length);
        for (var i = 0; i < length; i++)
        {
            if (canonical[i] != encoded[i])
            {
                throw new NixFormatException(FormatName, offset + i, $"{what} is not canonical base64 (unused bits set)");
            }
        }
        return bytes;
    }
}
