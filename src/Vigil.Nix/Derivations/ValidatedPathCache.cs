using Vigil.Nix.StorePaths;

namespace Vigil.Nix.Derivations;

/// <summary>
/// Store paths the ATerm reader has already read and validated, keyed by their exact bytes. The
/// derivations of a closure name the same few inputs over and over (stdenv, the fetchers' tools,
/// mirrors-list, builder scripts appear in thousands of files), and a hit saves the validation and
/// the string. Direct-mapped and per thread, so bounded and lock-free; valid for one store dir.
/// </summary>
internal sealed class ValidatedPathCache
{
    // Big enough that a 40k-drv closure's common inputs stay (each thread's cache: ~1.5 MB when full).
    private const int Size = 8192;

    [ThreadStatic]
    private static ValidatedPathCache? t_current;

    private readonly StoreDir _storeDir;
    private readonly byte[]?[] _keys = new byte[Size][];
    private readonly string?[] _paths = new string[Size];

    private ValidatedPathCache(StoreDir storeDir)
    {
        _storeDir = storeDir;
        Prefix = System.Text.Encoding.UTF8.GetBytes(storeDir.Prefix);
    }

    /// <summary>The store directory with its trailing slash, as bytes.</summary>
    public byte[] Prefix { get; }

    public static ValidatedPathCache For(StoreDir storeDir)
    {
        var cache = t_current;
        if (cache is null || !ReferenceEquals(cache._storeDir, storeDir))
        {
            t_current = cache = new ValidatedPathCache(storeDir);
        }
        return cache;
    }

    /// <summary>The path whose bytes are <paramref name="bytes"/>, if seen; else null and the slot to fill.</summary>
    public string? Find(ReadOnlySpan<byte> bytes, out int slot)
    {
        var hash = new HashCode();
        hash.AddBytes(bytes);
        slot = hash.ToHashCode() & (Size - 1);
        var key = _keys[slot];
        return key is not null && bytes.SequenceEqual(key) ? _paths[slot] : null;
    }

    public void Add(int slot, ReadOnlySpan<byte> bytes, string path)
    {
        _keys[slot] = bytes.ToArray();
        _paths[slot] = path;
    }
}
