using System.Runtime.CompilerServices;
using System.Text;
using Vigil.Nix.StorePaths;

namespace Vigil.Fod.Scanning;

/// <summary>
/// Reads only the head of a <c>.drv</c> ATerm: whether it can be a fixed-output derivation, and its
/// input derivations (and input sources that are <c>.drv</c> files). That is all a scan needs of a
/// derivation that is not an FOD, and the head is a small part of the file: the environment, where
/// the bulk of the bytes is, is never looked at. Store paths are checked as the full reader checks
/// them and the strings shared across files (a closure names the same inputs thousands of times).
/// Anything unusual (escapes in a path, a malformed head, a file that does not end in <c>)</c>)
/// makes it give up, and the caller parses the whole file, which then says what is wrong.
/// </summary>
internal static class DrvSkim
{
    private const int CacheSize = 4096;

    [ThreadStatic]
    private static PathCache? t_cache;

    /// <summary>
    /// Reads the head of <paramref name="aterm"/>; false when the full reader must decide.
    /// <paramref name="maybeFixedOutput"/>: exactly one output, <c>out</c>, with a hash algorithm
    /// and a hash (a superset of what the full reader calls fixed-output, so it alone decides those).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryRead(ReadOnlySpan<byte> aterm, StoreDir storeDir, List<string> inputs, out bool maybeFixedOutput)
    {
        maybeFixedOutput = false;
        if (aterm.Length == 0 || aterm[^1] != (byte)')')
        {
            return false;
        }
        var cache = t_cache;
        if (cache is null || !ReferenceEquals(cache.StoreDir, storeDir))
        {
            t_cache = cache = new PathCache(storeDir);
        }
        var at = 0;
        if (!Skip(aterm, ref at, "Derive(["u8))
        {
            return false;
        }
        var outputs = 0;
        while (aterm[at] != (byte)']')
        {
            if (outputs > 0 && !Skip(aterm, ref at, ","u8))
            {
                return false;
            }
            if (!Skip(aterm, ref at, "("u8)
                || !String(aterm, ref at, out var name) || !Skip(aterm, ref at, ","u8)
                || !String(aterm, ref at, out _) || !Skip(aterm, ref at, ","u8)
                || !String(aterm, ref at, out var algo) || !Skip(aterm, ref at, ","u8)
                || !String(aterm, ref at, out var hash) || !Skip(aterm, ref at, ")"u8))
            {
                return false;
            }
            outputs++;
            maybeFixedOutput = outputs == 1 && name.SequenceEqual("out"u8) && algo.Length > 0 && hash.Length > 0 && !hash.SequenceEqual("impure"u8);
        }
        maybeFixedOutput &= outputs == 1;
        at++;
        if (!Skip(aterm, ref at, ",["u8))
        {
            return false;
        }
        var first = true;
        while (aterm[at] != (byte)']')
        {
            if (!first && !Skip(aterm, ref at, ","u8))
            {
                return false;
            }
            first = false;
            if (!Skip(aterm, ref at, "("u8) || !String(aterm, ref at, out var path) || !cache.TryGet(path, out var input)
                || !Skip(aterm, ref at, ",["u8))
            {
                return false;
            }
            inputs.Add(input);
            var firstOutput = true;
            while (aterm[at] != (byte)']')
            {
                if ((!firstOutput && !Skip(aterm, ref at, ","u8)) || !String(aterm, ref at, out _))
                {
                    return false;
                }
                firstOutput = false;
            }
            at++;
            if (!Skip(aterm, ref at, ")"u8))
            {
                return false;
            }
        }
        at++;
        if (!Skip(aterm, ref at, ",["u8))
        {
            return false;
        }
        first = true;
        while (aterm[at] != (byte)']')
        {
            if ((!first && !Skip(aterm, ref at, ","u8)) || !String(aterm, ref at, out var source))
            {
                return false;
            }
            first = false;
            if (source.EndsWith(".drv"u8))
            {
                if (!cache.TryGet(source, out var input))
                {
                    return false;
                }
                inputs.Add(input);
            }
        }
        at++;
        return Skip(aterm, ref at, ","u8);
    }

    /// <summary>Consumes <paramref name="token"/>; false if the input differs or ends (a ']' check after it never reads past the end: the file ends in ')').</summary>
    private static bool Skip(ReadOnlySpan<byte> aterm, ref int at, ReadOnlySpan<byte> token)
    {
        if (!aterm[at..].StartsWith(token) || at + token.Length >= aterm.Length)
        {
            return false;
        }
        at += token.Length;
        return true;
    }

    /// <summary>A string without escapes (any backslash: false, the full reader unescapes).</summary>
    private static bool String(ReadOnlySpan<byte> aterm, ref int at, out ReadOnlySpan<byte> body)
    {
        body = default;
        if (aterm[at] != (byte)'"')
        {
            return false;
        }
        var rest = aterm[(at + 1)..];
        var end = rest.IndexOfAny((byte)'"', (byte)'\\');
        if (end < 0 || rest[end] != (byte)'"' || at + 1 + end + 1 >= aterm.Length)
        {
            return false;
        }
        body = rest[..end];
        at += end + 2;
        return true;
    }

    /// <summary>Validated store paths by their bytes: direct-mapped, per thread, so bounded and lock-free.</summary>
    private sealed class PathCache(StoreDir storeDir)
    {
        private readonly byte[]?[] _keys = new byte[CacheSize][];
        private readonly string?[] _paths = new string[CacheSize];

        public StoreDir StoreDir { get; } = storeDir;

        public bool TryGet(ReadOnlySpan<byte> bytes, out string path)
        {
            var hash = new HashCode();
            hash.AddBytes(bytes);
            var slot = hash.ToHashCode() & (CacheSize - 1);
            if (_keys[slot] is { } key && bytes.SequenceEqual(key))
            {
                path = _paths[slot]!;
                return true;
            }
            path = "";
            foreach (var b in bytes)
            {
                if (b is < 0x20 or >= 0x7f)
                {
                    return false;
                }
            }
            var text = Encoding.ASCII.GetString(bytes);
            if (!StoreDir.TryParse(text, out _))
            {
                return false;
            }
            _keys[slot] = bytes.ToArray();
            _paths[slot] = path = text;
            return true;
        }
    }
}
