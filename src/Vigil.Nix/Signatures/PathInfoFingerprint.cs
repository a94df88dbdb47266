using System.Text;
using Vigil.Nix.Hashing;
using Vigil.Nix.StorePaths;

namespace Vigil.Nix.Signatures;

/// <summary>
/// The bytes Nix signs for a store path (<c>ValidPathInfo::fingerprint</c>):
/// <c>1;FULL_PATH;NAR_HASH;NAR_SIZE;REF,REF,…</c>, the NAR hash as <c>algo:nix32</c> and the
/// references as full paths in byte order without duplicates (Nix keeps them in a set). Only
/// these fields are signed: URL, compression, file hash, deriver and CA are not.
/// </summary>
public static class PathInfoFingerprint
{
    public static byte[] Compute(StoreDir storeDir, StorePath path, NixHash narHash, ulong narSize, IEnumerable<StorePath> references)
    {
        ArgumentNullException.ThrowIfNull(storeDir);
        ArgumentNullException.ThrowIfNull(narHash);
        ArgumentNullException.ThrowIfNull(references);
        RequireSet(path, nameof(path));
        if (narSize == 0)
        {
            // Nix refuses too: a zero size means "unknown", and an unknown size must not be signed.
            throw new ArgumentException($"cannot fingerprint '{path}': its NAR size is not known", nameof(narSize));
        }
        var sorted = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var reference in references)
        {
            RequireSet(reference, nameof(references));
            sorted.Add(reference.BaseName);
        }
        var text = new StringBuilder("1;")
            .Append(storeDir.Prefix).Append(path.BaseName).Append(';')
            .Append(narHash.ToString(HashEncoding.Nix32, includeAlgorithm: true)).Append(';')
            .Append(narSize).Append(';');
        var first = true;
        foreach (var reference in sorted)
        {
            if (!first)
            {
                text.Append(',');
            }
            text.Append(storeDir.Prefix).Append(reference);
            first = false;
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static void RequireSet(StorePath path, string parameter)
    {
        if (path.BaseName is null)
        {
            throw new ArgumentException("a default StorePath is not a store path", parameter);
        }
    }
}
