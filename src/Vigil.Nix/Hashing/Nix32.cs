namespace Vigil.Nix.Hashing;

/// <summary>
/// Nix's "base32". Not RFC 4648: the alphabet omits e, o, u and t, there is no padding, and the
/// digest is read as one little-endian integer written most significant digit first, so the
/// first character of the text holds the *last* bits of the digest. Decoding must reject digits
/// whose bits fall beyond the digest (for sha256 the first character is 0 or 1).
/// </summary>
public static class Nix32
{
    public const string Alphabet = "0123456789abcdfghijklmnpqrsvwxyz";

    private static readonly sbyte[] Values = BuildValues();

    private static sbyte[] BuildValues()
    {
        var values = new sbyte[128];
        Array.Fill(values, (sbyte)-1);
        for (var i = 0; i < Alphabet.Length; i++)
        {
            values[Alphabet[i]] = (sbyte)i;
        }
        return values;
    }

    /// <summary>Characters needed for <paramref name="byteCount"/> bytes: ceil(bits / 5).</summary>
    public static int EncodedLength(int byteCount) => byteCount == 0 ? 0 : ((byteCount * 8) - 1) / 5 + 1;

    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var length = EncodedLength(bytes.Length);
        Span<char> chars = length <= 256 ? stackalloc char[length] : new char[length];
        Encode(bytes, chars);
        return new string(chars);
    }

    public static void Encode(ReadOnlySpan<byte> bytes, Span<char> destination)
    {
        var length = EncodedLength(bytes.Length);
        for (var k = length - 1; k >= 0; k--)
        {
            var b = k * 5;
            var i = b >> 3;
            var j = b & 7;
            var c = bytes[i] >> j;
            if (i + 1 < bytes.Length)
            {
                c |= bytes[i + 1] << (8 - j);
            }
            destination[length - 1 - k] = Alphabet[c & 31];
        }
    }

    /// <summary>Same as <see cref="Encode(ReadOnlySpan{byte}, Span{char})"/>, writing ASCII bytes.</summary>
    public static void EncodeUtf8(ReadOnlySpan<byte> bytes, Span<byte> destination)
    {
        var length = EncodedLength(bytes.Length);
        for (var k = length - 1; k >= 0; k--)
        {
            var b = k * 5;
            var i = b >> 3;
            var j = b & 7;
            var c = bytes[i] >> j;
            if (i + 1 < bytes.Length)
            {
                c |= bytes[i + 1] << (8 - j);
            }
            destination[length - 1 - k] = (byte)Alphabet[c & 31];
        }
    }

    /// <summary>Decodes into exactly <paramref name="destination"/>.Length bytes; false on any bad digit, length or overflow bit.</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, Span<byte> destination)
    {
        var n = destination.Length;
        if (text.Length != EncodedLength(n))
        {
            return false;
        }
        destination.Clear();
        var length = text.Length;
        for (var k = 0; k < length; k++)
        {
            var ch = text[length - 1 - k];
            if (ch >= 128 || Values[ch] < 0)
            {
                return false;
            }
            var digit = Values[ch];
            var b = k * 5;
            var i = b >> 3;
            var j = b & 7;
            destination[i] |= (byte)(digit << j);
            var carry = digit >> (8 - j);
            if (i < n - 1)
            {
                destination[i + 1] |= (byte)carry;
            }
            else if (carry != 0)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Decodes text whose byte length follows from its character length; throws <see cref="NixFormatException"/>.</summary>
    public static byte[] Decode(ReadOnlySpan<char> text, int byteCount)
    {
        var bytes = new byte[byteCount];
        if (text.Length != EncodedLength(byteCount))
        {
            throw new NixFormatException("nix32", 0, $"expected {EncodedLength(byteCount)} characters for {byteCount} bytes, got {text.Length}");
        }
        if (!TryDecode(text, bytes))
        {
            var bad = FirstInvalid(text);
            throw bad >= 0
                ? new NixFormatException("nix32", bad, $"'{text[bad]}' is not a nix32 digit")
                : new NixFormatException("nix32", 0, "the value has bits set beyond the digest (first digit too large)");
        }
        return bytes;
    }

    private static int FirstInvalid(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] >= 128 || Values[text[i]] < 0)
            {
                return i;
            }
        }
        return -1;
    }

    public static bool IsDigit(byte c) => c < 128 && Values[c] >= 0;
}
