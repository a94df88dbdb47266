using System.Security.Cryptography;

namespace Vigil.Nix.Hashing;

/// <summary>
/// A digest together with its algorithm. Parsing follows Nix 2.8's <c>Hash::parseAny</c>: an
/// optional <c>algo:</c> or SRI <c>algo-</c> prefix, then the encoding chosen by length alone
/// (base16 either case, nix32, base64 with or without padding).
/// </summary>
public sealed class NixHash : IEquatable<NixHash>
{
    private readonly byte[] _digest;

    public NixHash(HashAlgorithmKind algorithm, ReadOnlySpan<byte> digest)
    {
        if (digest.Length != algorithm.DigestSize())
        {
            throw new ArgumentException($"a {algorithm.Name()} digest has {algorithm.DigestSize()} bytes, not {digest.Length}", nameof(digest));
        }
        Algorithm = algorithm;
        _digest = digest.ToArray();
    }

    public HashAlgorithmKind Algorithm { get; }

    public ReadOnlySpan<byte> Digest => _digest;

    public static NixHash Compute(HashAlgorithmKind algorithm, ReadOnlySpan<byte> data) =>
        new(algorithm, HashAlgorithms.Digest(algorithm, data));

    /// <summary>All-zero digest: what Nix substitutes for an empty <c>outputHash</c> (lib.fakeHash).</summary>
    public static NixHash Zero(HashAlgorithmKind algorithm) => new(algorithm, new byte[algorithm.DigestSize()]);

    /// <summary>
    /// Parses any spelling Nix accepts. <paramref name="knownAlgorithm"/> is the type known from
    /// context (e.g. <c>outputHashAlgo</c>); a prefix, when present, must agree with it.
    /// </summary>
    public static NixHash Parse(string text, HashAlgorithmKind? knownAlgorithm = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rest = text.AsSpan();
        var offset = 0;
        var isSri = false;
        HashAlgorithmKind? prefixAlgo = null;
        var colon = rest.IndexOf(':');
        var dash = colon < 0 ? rest.IndexOf('-') : -1;
        var split = colon >= 0 ? colon : dash;
        if (split >= 0)
        {
            isSri = colon < 0;
            var prefix = rest[..split];
            if (!HashAlgorithms.TryParse(prefix, out var parsed))
            {
                throw new NixFormatException("hash", 0, $"unknown hash algorithm '{prefix}' in '{text}'");
            }
            prefixAlgo = parsed;
            offset = split + 1;
        }
        if (prefixAlgo is { } p && knownAlgorithm is { } k && p != k)
        {
            throw new NixFormatException("hash", 0, $"hash '{text}' should have type '{k.Name()}'");
        }
        var algo = prefixAlgo ?? knownAlgorithm
            ?? throw new NixFormatException("hash", 0, $"hash '{text}' does not include a type, nor is the type otherwise known from context");
        return DecodeByLength(text, offset, algo, isSri);
    }

    /// <summary>
    /// Nix's <c>parseNonSRIUnprefixed</c>, used for the hash field of a <c>.drv</c> output tuple: no
    /// <c>algo:</c> prefix and no SRI, only base16, nix32 or base64 chosen by length.
    /// </summary>
    public static NixHash ParseUnprefixed(string text, HashAlgorithmKind algorithm)
    {
        ArgumentNullException.ThrowIfNull(text);
        return DecodeByLength(text, 0, algorithm, isSri: false);
    }

    private static NixHash DecodeByLength(string text, int offset, HashAlgorithmKind algo, bool isSri)
    {
        var rest = text.AsSpan(offset);
        var size = algo.DigestSize();
        var digest = new byte[size];
        if (!isSri && rest.Length == size * 2)
        {
            if (!TryDecodeBase16(rest, digest, out var bad))
            {
                throw new NixFormatException("hash", offset + bad, $"'{rest[bad]}' is not a base16 digit in '{text}'");
            }
        }
        else if (!isSri && rest.Length == Nix32.EncodedLength(size))
        {
            if (!Nix32.TryDecode(rest, digest))
            {
                throw new NixFormatException("hash", offset, $"'{text}' is not a valid nix32 {algo.Name()} hash");
            }
        }
        else if (isSri || rest.Length == Base64Length(size))
        {
            if (!TryDecodeBase64(rest, digest, out var written, out var badAt))
            {
                throw new NixFormatException("hash", offset + badAt, $"invalid base64 in hash '{text}'");
            }
            if (written != size)
            {
                throw new NixFormatException("hash", offset, $"hash '{text}' decodes to {written} bytes, a {algo.Name()} digest has {size}");
            }
        }
        else
        {
            throw new NixFormatException("hash", offset, $"hash '{text}' has wrong length for hash type '{algo.Name()}'");
        }
        return new NixHash(algo, digest);
    }

    /// <summary>Nix's <c>newHashAllowEmpty</c>: an empty string means the all-zero digest.</summary>
    public static NixHash ParseAllowEmpty(string text, HashAlgorithmKind? knownAlgorithm)
    {
        if (text.Length == 0)
        {
            return Zero(knownAlgorithm ?? throw new NixFormatException("hash", 0, "empty hash requires an explicit hash type"));
        }
        return Parse(text, knownAlgorithm);
    }

    public static bool TryParse(string text, HashAlgorithmKind? knownAlgorithm, out NixHash? hash)
    {
        try
        {
            hash = Parse(text, knownAlgorithm);
            return true;
        }
        catch (NixFormatException)
        {
            hash = null;
            return false;
        }
    }

    public static int Base64Length(int byteCount) => ((4 * byteCount / 3) + 3) & ~3;

    public string ToBase16() => Convert.ToHexStringLower(_digest);

    public string ToNix32() => Nix32.Encode(_digest);

    public string ToBase64() => Convert.ToBase64String(_digest);

    public string ToSri() => Algorithm.Name() + "-" + ToBase64();

    /// <summary>Nix's <c>to_string(base, includeType)</c>; SRI always carries its type.</summary>
    public string ToString(HashEncoding encoding, bool includeAlgorithm) => encoding switch
    {
        HashEncoding.Sri => ToSri(),
        _ => (includeAlgorithm ? Algorithm.Name() + ":" : "") + encoding switch
        {
            HashEncoding.Base16 => ToBase16(),
            HashEncoding.Nix32 => ToNix32(),
            HashEncoding.Base64 => ToBase64(),
            _ => throw new ArgumentOutOfRangeException(nameof(encoding)),
        },
    };

    /// <summary>The default rendering: <c>algo:nix32</c>, as <c>nix-store -q --hash</c> prints.</summary>
    public override string ToString() => ToString(HashEncoding.Nix32, true);

    /// <summary>
    /// XOR-folds a digest into <paramref name="size"/> bytes (Nix's <c>compressHash</c>): byte i of the
    /// input is XORed into byte i mod size of the output.
    /// </summary>
    public static void Compress(ReadOnlySpan<byte> digest, Span<byte> destination)
    {
        destination.Clear();
        for (var i = 0; i < digest.Length; i++)
        {
            destination[i % destination.Length] ^= digest[i];
        }
    }

    public bool Equals(NixHash? other) =>
        other is not null && other.Algorithm == Algorithm && CryptographicOperations.FixedTimeEquals(other._digest, _digest);

    public override bool Equals(object? obj) => Equals(obj as NixHash);

    public override int GetHashCode() => HashCode.Combine(Algorithm, BitConverter.ToInt32(_digest, 0));

    private static bool TryDecodeBase16(ReadOnlySpan<char> text, Span<byte> digest, out int badIndex)
    {
        for (var i = 0; i < digest.Length; i++)
        {
            var hi = HexValue(text[2 * i]);
            var lo = HexValue(text[(2 * i) + 1]);
            if (hi < 0 || lo < 0)
            {
                badIndex = hi < 0 ? 2 * i : (2 * i) + 1;
                return false;
            }
            digest[i] = (byte)((hi << 4) | lo);
        }
        badIndex = -1;
        return true;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>
    /// Nix 2.8's base64 decoder: stops at the first '=', skips newlines, rejects anything else
    /// outside the alphabet, and so accepts unpadded input.
    /// </summary>
    private static bool TryDecodeBase64(ReadOnlySpan<char> text, Span<byte> destination, out int written, out int badIndex)
    {
        written = 0;
        badIndex = -1;
        int bits = 0, acc = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '=')
            {
                break;
            }
            if (c == '\n')
            {
                continue;
            }
            int v = c switch
            {
                >= 'A' and <= 'Z' => c - 'A',
                >= 'a' and <= 'z' => c - 'a' + 26,
                >= '0' and <= '9' => c - '0' + 52,
                '+' => 62,
                '/' => 63,
                _ => -1,
            };
            if (v < 0)
            {
                badIndex = i;
                return false;
            }
            acc = (acc << 6) | v;
            bits += 6;
            if (bits >= 8)
            {
                bits -= 8;
                if (written >= destination.Length)
                {
                    written++;
                    return true;
                }
                destination[written++] = (byte)((acc >> bits) & 0xff);
            }
        }
        return true;
    }
}
