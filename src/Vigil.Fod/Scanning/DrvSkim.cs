using System.Runtime.CompilerServices;
using System.Text;
using Vigil.Nix.Derivations;
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
    /// and a hash (a superset of what the full reader calls fixed-output). For such a derivation,
    /// when <paramref name="fod"/> is given, the rest of the file is read into it as well, and any
    /// doubt about it (escapes outside env values, unsorted keys, structured attrs) gives false.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryRead(ReadOnlySpan<byte> aterm, StoreDir storeDir, List<string> inputs, FodFields? fod, out bool maybeFixedOutput)
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
                || !String(aterm, ref at, out var outputPath) || !Skip(aterm, ref at, ","u8)
                || !String(aterm, ref at, out var algo) || !Skip(aterm, ref at, ","u8)
                || !String(aterm, ref at, out var hash) || !Skip(aterm, ref at, ")"u8))
            {
                return false;
            }
            outputs++;
            maybeFixedOutput = outputs == 1 && name.SequenceEqual("out"u8) && algo.Length > 0 && hash.Length > 0 && !hash.SequenceEqual("impure"u8);
            if (maybeFixedOutput && fod is not null)
            {
                if (!cache.TryGet(outputPath, out var path) || !Printable(algo) || !Printable(hash))
                {
                    return false;
                }
                fod.OutputPath = path;
                fod.HashAlgo = Encoding.ASCII.GetString(algo);
                fod.Hash = Encoding.ASCII.GetString(hash);
            }
        }
        maybeFixedOutput &= outputs == 1;
        // An FOD's record is made from what the skim reads, so it checks what the full reader
        // checks; other derivations give only their inputs, and a lenient read of those costs nothing.
        var strict = maybeFixedOutput && fod is not null;
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
            if (strict && inputs.Count > 0 && string.CompareOrdinal(inputs[^1], input) >= 0)
            {
                return false;
            }
            inputs.Add(input);
            var firstOutput = true;
            int previousAt = 0, previousLength = 0;
            while (aterm[at] != (byte)']')
            {
                var outputAt = at + 1;
                if ((!firstOutput && !Skip(aterm, ref at, ","u8)) || !String(aterm, ref at, out var output))
                {
                    return false;
                }
                if (strict && (!StorePathName.IsValid(output) || (!firstOutput && aterm.Slice(previousAt, previousLength).SequenceCompareTo(output) >= 0)))
                {
                    return false;
                }
                (previousAt, previousLength) = (firstOutput ? outputAt : outputAt + 1, output.Length);
                firstOutput = false;
            }
            at++;
            if (!Skip(aterm, ref at, ")"u8))
            {
                return false;
            }
        }
        at++;
        var inputDerivations = inputs.Count;
        if (!Skip(aterm, ref at, ",["u8))
        {
            return false;
        }
        first = true;
        string? previousSource = null;
        while (aterm[at] != (byte)']')
        {
            if ((!first && !Skip(aterm, ref at, ","u8)) || !String(aterm, ref at, out var source))
            {
                return false;
            }
            first = false;
            var isDrv = source.EndsWith(".drv"u8);
            if (!strict && !isDrv)
            {
                continue;
            }
            if (!cache.TryGet(source, out var path) || (strict && previousSource is not null && string.CompareOrdinal(previousSource, path) >= 0))
            {
                return false;
            }
            previousSource = path;
            if (isDrv)
            {
                inputs.Add(path);
            }
        }
        at++;
        if (!Skip(aterm, ref at, ","u8))
        {
            return false;
        }
        return !strict || ReadTail(aterm, at, inputDerivations, fod!);
    }

    /// <summary>
    /// Platform, builder, args and env of a maybe-FOD into <paramref name="fod"/>: env entries as
    /// places in the file, so only the values the extractor asks for become strings. The full
    /// reader turned every key and value of the 22,903 FODs of the bench set into arrays: 7 KB
    /// per FOD, half the scan's allocations.
    /// </summary>
    private static bool ReadTail(ReadOnlySpan<byte> aterm, int at, int inputDerivations, FodFields fod)
    {
        fod.InputDerivations = inputDerivations;
        fod.ClearEnv();
        // Nix writes the platform unescaped; builder and args, which the extractor does not read, rarely need escapes.
        if (!String(aterm, ref at, out _) || !Skip(aterm, ref at, ","u8)
            || !String(aterm, ref at, out _) || !Skip(aterm, ref at, ",["u8))
        {
            return false;
        }
        var first = true;
        while (aterm[at] != (byte)']')
        {
            if ((!first && !Skip(aterm, ref at, ","u8)) || !String(aterm, ref at, out _))
            {
                return false;
            }
            first = false;
        }
        at++;
        if (!Skip(aterm, ref at, ",["u8))
        {
            return false;
        }
        first = true;
        int previousKeyAt = 0, previousKeyLength = 0;
        while (aterm[at] != (byte)']')
        {
            if (!first && !Skip(aterm, ref at, ","u8))
            {
                return false;
            }
            var keyAt = at + 1;
            if (!Skip(aterm, ref at, "("u8) || !String(aterm, ref at, out var key) || !Skip(aterm, ref at, ","u8))
            {
                return false;
            }
            // Keys in strictly increasing byte order, as Nix writes them: lookups can bisect, and
            // anything else (unsorted, duplicate) is the full reader's to sort or reject.
            if ((!first && aterm.Slice(previousKeyAt, previousKeyLength).SequenceCompareTo(key) >= 0) || key.SequenceEqual("__json"u8))
            {
                return false;
            }
            first = false;
            (previousKeyAt, previousKeyLength) = (keyAt + 1, key.Length);
            var valueAt = at + 1;
            if (!EscapedString(aterm, ref at, out var escaped) || !Skip(aterm, ref at, ")"u8))
            {
                return false;
            }
            fod.AddEnv(keyAt + 1, key.Length, valueAt, at - 2 - valueAt, escaped);
        }
        at++;
        // The closing parenthesis, and nothing after it.
        return at == aterm.Length - 1;
    }

    private static bool Printable(ReadOnlySpan<byte> text) => text.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7e) < 0;

    /// <summary>A string that may hold escapes: consumed, its body left in place (false if it does not end before the input does).</summary>
    private static bool EscapedString(ReadOnlySpan<byte> aterm, ref int at, out bool escaped)
    {
        if (!ATermStrings.TryScan(aterm, at, out var end, out escaped) || end + 1 >= aterm.Length)
        {
            return false;
        }
        at = end + 1;
        return true;
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
