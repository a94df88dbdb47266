using Vigil.Nix.Hashing;

namespace Vigil.Nix.StorePaths;

/// <summary>
/// The base name of a store object: 32 nix32 characters of a 160-bit digest, a dash, and a name.
/// The store directory is not part of the value (<see cref="StoreDir"/> prints and parses it).
/// </summary>
public readonly record struct StorePath
{
    public const int HashLength = 32;
    public const int DigestSize = 20;

    private StorePath(string baseName) => BaseName = baseName;

    public string BaseName { get; }

    public ReadOnlySpan<char> HashPart => BaseName.AsSpan(0, HashLength);

    public ReadOnlySpan<char> Name => BaseName.AsSpan(HashLength + 1);

    public bool IsDerivation => BaseName.EndsWith(".drv", StringComparison.Ordinal);

    /// <summary>
    /// Parses a base name. Nix 2.8 does not check the byte between hash part and name; later Nix
    /// requires a dash there and so do we: every path Nix makes has one, and any other byte (a quote,
    /// a slash) would make paths that cannot be written back into a <c>.drv</c>.
    /// </summary>
    public static StorePath ParseBaseName(string baseName, int offset = 0)
    {
        ArgumentNullException.ThrowIfNull(baseName);
        if (baseName.Length < HashLength + 1)
        {
            throw new NixFormatException("store path", offset, $"'{baseName}' is too short to be a store path base name");
        }
        for (var i = 0; i < HashLength; i++)
        {
            var c = baseName[i];
            if (c >= 128 || !Nix32.IsDigit((byte)c))
            {
                throw new NixFormatException("store path", offset + i, $"'{baseName}' has '{c}' in its hash part");
            }
        }
        if (baseName[HashLength] != '-')
        {
            throw new NixFormatException("store path", offset + HashLength, $"'{baseName}' has no '-' after its hash part");
        }
        if (StorePathName.Check(baseName.AsSpan(HashLength + 1)) is { } error)
        {
            throw new NixFormatException("store path", offset + HashLength + 1 + error.Position, error.Reason + $" in '{baseName}'");
        }
        return new StorePath(baseName);
    }

    public static StorePath FromDigest(ReadOnlySpan<byte> digest20, string name)
    {
        StorePathName.Validate(name);
        return new StorePath(Nix32.Encode(digest20) + "-" + name);
    }

    public override string ToString() => BaseName;
}
