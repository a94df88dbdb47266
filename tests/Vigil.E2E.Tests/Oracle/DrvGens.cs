using System.Text;
using CsCheck;
using Vigil.Nix.Hashing;

namespace Vigil.E2E.Tests.Oracle;

/// <summary>The leaf generators: names, strings, hashes. The batch generator composes them.</summary>
internal static class DrvGens
{
    public const string NameChars = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+-._?=";

    /// <summary>
    /// File names a path literal can spell (no <c>?</c> or <c>=</c>, which the Nix lexer does not take in
    /// paths); never <c>*.drv</c>, which <c>-r</c> closures would take for a derivation.
    /// </summary>
    public const string PathLiteralChars = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+-._";

    /// <summary>Names Nix 2.8 accepts that later versions or naive validators might not.</summary>
    public static readonly string[] EdgeNames =
    [
        ".", "..", "...", ".gitignore", ".-a", "..-b", "-", "--", "_", "=", "?", "+", "0", "a.drv.b", "x.DRV", "drv", ".drvx",
        "a=b?c", "-.-", "__", "hello-2.12.1", "source", "out", "name-with-many.dots.and_underscores+plus",
    ];

    public static readonly string[] CommonOutputs = ["out", "dev", "lib", "bin", "man", "doc", "info", "static", "debug", "devdoc", "py", "x"];

    /// <summary>Pieces strings are built from: everything the ATerm and JSON printers must escape or pass raw.</summary>
    public static readonly string[] SpecialChunks =
    [
        "\"", "\\", "\n", "\r", "\t", "$", "${", "${x}", "$${", "\\${", "''", "'''", "\r\n", "\\n", "\\\"", "é", "ß", "中文", "😀", "\u2028",
        "\ufeff", "e\u0301", "\u0001", "\u001f", "\u001b[0m", "\u007f", "\u0080", "\u00ff", "\U0010FFFD", " ", "{", "}", "(", ")", ",",
        "[", "]", "/nix/store/", ":", ";", "=", "#", "/*", "*/", "''${", "\\u0000", "%s", "\u000b\u000c",
    ];

    private static readonly Gen<string> AlphaNum = Gen.Char["abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./"].Array[1, 8].Select(a => new string(a));

    private static readonly Gen<string> Chunk = Gen.Frequency(
        (8, AlphaNum),
        (5, Gen.OneOf(SpecialChunks)),
        (1, Gen.Char[(char)1, (char)31].Select(c => c.ToString())),
        (2, Gen.Char[' ', '~'].Array[1, 6].Select(a => new string(a))),
        (1, Gen.Char[(char)0xa0, (char)0xd7ff].Select(c => c.ToString())),
        (1, Gen.Int[0x10000, 0x10ffff].Select(char.ConvertFromUtf32)));

    /// <summary>Any text without NUL (Nix strings are C strings at the end): mostly short, sometimes long.</summary>
    public static readonly Gen<byte[]> Text = Gen.Frequency(
        (1, Gen.Const(Array.Empty<string>())),
        (12, Chunk.Array[1, 8]),
        (3, Chunk.Array[8, 40]),
        (1, Chunk.Array[200, 600])).Select(chunks => Encoding.UTF8.GetBytes(string.Concat(chunks)));

    /// <summary>As <see cref="Text"/>, never empty (builder and system must not be).</summary>
    public static readonly Gen<byte[]> NonEmptyText = Text.Where(t => t.Length > 0);

    /// <summary>
    /// Text for the platform, which Nix prints unescaped: anything but <c>"</c> and <c>\</c>, and not
    /// empty (the primop takes an empty <c>system</c> for a missing one).
    /// </summary>
    public static readonly Gen<byte[]> System = Gen.Frequency(
        (6, Gen.OneOf("x86_64-linux", "aarch64-darwin", "i686-linux", ":", "builtin")),
        (2, NonEmptyText.Select(t => Encoding.UTF8.GetString(t).Replace("\"", "", StringComparison.Ordinal).Replace("\\", "", StringComparison.Ordinal))
            .Where(t => t.Length > 0)))
        .Select(Encoding.UTF8.GetBytes);

    /// <summary>An environment key: mostly identifiers, sometimes anything (quoted or dynamic in the source).</summary>
    public static readonly Gen<byte[]> EnvKey = Gen.Frequency(
        (6, Gen.Select(Gen.Char["abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"], Gen.Char["abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_'-"].Array[0, 12], (c, rest) => c + new string(rest))
            .Select(Encoding.UTF8.GetBytes)),
        (2, Text),
        (1, Gen.OneOf("", "if", "in", "let", "or", "with", "rec", "a b", "a\"b", "x\\y", "$", "${", "1abc", "dev-x", "é").Select(Encoding.UTF8.GetBytes)));

    public static readonly Gen<long> Int = Gen.Frequency(
        (4, Gen.Long[-1000, 1000]),
        (1, Gen.Long[-(1L << 62), 1L << 62]),
        (1, Gen.OneOf(0L, -1L, long.MaxValue, -long.MaxValue)));

    /// <summary>Multiples of 1/64: exact in binary and in six decimals, so %f has one answer.</summary>
    public static readonly Gen<double> Float = Gen.Int[-100000, 100000].Select(i => i / 64.0);

    /// <summary>A store path name of at most <paramref name="maxLength"/> characters, not ending in <c>.drv</c>; edges favoured.</summary>
    public static Gen<string> Name(int maxLength) => Gen.Frequency(
        (3, Gen.OneOf(EdgeNames).Where(n => n.Length <= maxLength)),
        (8, RandomName(Gen.Int[1, Math.Min(12, maxLength)])),
        (2, RandomName(Gen.Int[1, maxLength])),
        (2, RandomName(Gen.Int[Math.Max(1, maxLength - 3), maxLength])))
        .Select(n => n.EndsWith(".drv", StringComparison.Ordinal) ? n[..^1] + "_" : n);

    private static Gen<string> RandomName(Gen<int> length) =>
        length.SelectMany(n => Gen.Char[NameChars].Array[n, n]).Select(a => new string(a));

    public static readonly Gen<string> OutputName = Gen.Frequency(
        (6, Gen.OneOf(CommonOutputs)),
        (2, RandomName(Gen.Int[1, 10])))
        .Where(n => n != "drv");

    public static readonly Gen<string> PathLiteralName =
        Gen.Char[PathLiteralChars].Array[1, 24].Select(a => new string(a))
            .Where(n => n is not ("." or "..") && !n.EndsWith(".drv", StringComparison.Ordinal));

    public static readonly Gen<FixedHashSpec> FixedHash =
        from algo in Gen.OneOf(HashAlgorithmKind.Md5, HashAlgorithmKind.Sha1, HashAlgorithmKind.Sha256, HashAlgorithmKind.Sha512)
        from digest in Gen.Byte.Array[algo.DigestSize(), algo.DigestSize()]
        from spelling in Gen.Frequency(
            (3, Gen.Const(HashSpelling.Base16Lower)), (1, Gen.Const(HashSpelling.Base16Upper)), (3, Gen.Const(HashSpelling.Nix32)),
            (2, Gen.Const(HashSpelling.Base64)), (3, Gen.Const(HashSpelling.Sri)), (1, Gen.Const(HashSpelling.SriUnpadded)),
            (1, Gen.Const(HashSpelling.PrefixedBase16)), (1, Gen.Const(HashSpelling.PrefixedNix32)), (1, Gen.Const(HashSpelling.PrefixedBase64)),
            (1, Gen.Const(HashSpelling.Empty)))
        from algoChoice in Gen.Int[0, 2]
        from mode in Gen.OneOf<string?>(null, "flat", "recursive", "recursive")
        select MakeFixed(algo, digest, spelling, algoChoice, mode);

    private static FixedHashSpec MakeFixed(HashAlgorithmKind algo, byte[] digest, HashSpelling spelling, int algoChoice, string? mode)
    {
        var name = algo.Name();
        var b64 = Convert.ToBase64String(digest);
        // Where the spelling names its algorithm, outputHashAlgo may be the same name, "" or absent.
        var optionalAlgo = algoChoice switch { 0 => name, 1 => "", _ => null };
        return spelling switch
        {
            HashSpelling.Base16Lower => new(algo, digest, spelling, Convert.ToHexStringLower(digest), name, mode),
            HashSpelling.Base16Upper => new(algo, digest, spelling, Convert.ToHexString(digest), name, mode),
            HashSpelling.Nix32 => new(algo, digest, spelling, Nix32.Encode(digest), name, mode),
            HashSpelling.Base64 => new(algo, digest, spelling, b64, name, mode),
            HashSpelling.Sri => new(algo, digest, spelling, name + "-" + b64, optionalAlgo, mode),
            HashSpelling.SriUnpadded => new(algo, digest, spelling, name + "-" + b64.TrimEnd('='), optionalAlgo, mode),
            HashSpelling.PrefixedBase16 => new(algo, digest, spelling, name + ":" + Convert.ToHexStringLower(digest), optionalAlgo, mode),
            HashSpelling.PrefixedNix32 => new(algo, digest, spelling, name + ":" + Nix32.Encode(digest), optionalAlgo, mode),
            HashSpelling.PrefixedBase64 => new(algo, digest, spelling, name + ":" + b64, optionalAlgo, mode),
            _ => new(algo, new byte[digest.Length], spelling, "", name, mode),
        };
    }
}
