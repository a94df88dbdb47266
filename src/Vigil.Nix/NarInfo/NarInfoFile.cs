using Vigil.Nix.Hashing;
using Vigil.Nix.Signatures;
using Vigil.Nix.StorePaths;

namespace Vigil.Nix.NarInfo;

/// <summary>
/// A binary cache's <c>.narinfo</c>: where the NAR of a store path is, how it is compressed, its
/// hashes and sizes, references, deriver, signatures and content address. Values are kept as the
/// file spelled them (reference order, hash encoding, unknown fields), so a file Nix wrote is
/// written back byte for byte; fields are always written in Nix's order.
/// </summary>
public sealed record NarInfoFile
{
    /// <summary>The store directory <see cref="StorePath"/> was printed under; part of the signed fingerprint.</summary>
    public StoreDir StoreDir { get; init; } = StoreDir.Default;

    public required StorePath StorePath { get; init; }

    /// <summary>Where the (compressed) NAR is, usually relative to the cache root (<c>nar/….nar.xz</c>).</summary>
    public required string Url { get; init; }

    /// <summary>As written; null when the line is absent, which Nix reads as <c>bzip2</c>.</summary>
    public string? Compression { get; init; }

    /// <summary>Hash of the file at <see cref="Url"/> (the compressed NAR).</summary>
    public NixHash? FileHash { get; init; }

    public HashEncoding FileHashEncoding { get; init; } = HashEncoding.Nix32;

    public ulong? FileSize { get; init; }

    /// <summary>Hash of the uncompressed NAR; this is what the signature covers.</summary>
    public required NixHash NarHash { get; init; }

    public HashEncoding NarHashEncoding { get; init; } = HashEncoding.Nix32;

    public required ulong NarSize { get; init; }

    /// <summary>Base names, in file order (Nix writes them sorted); may include the path itself.</summary>
    public IReadOnlyList<StorePath> References { get; init; } = [];

    /// <summary>The <c>.drv</c> base name; null when absent or <c>unknown-deriver</c>.</summary>
    public StorePath? Deriver { get; init; }

    public string? System { get; init; }

    /// <summary><c>Sig:</c> values as written; see <see cref="CheckSignatures"/> for what they prove.</summary>
    public IReadOnlyList<string> Signatures { get; init; } = [];

    /// <summary><c>fixed:[r:]algo:hash</c> or <c>text:sha256:hash</c>, checked for shape when parsed.</summary>
    public string? ContentAddress { get; init; }

    /// <summary>Lines with names this library does not know, in file order; written after the known ones.</summary>
    public IReadOnlyList<NarInfoField> ExtraFields { get; init; } = [];

    /// <summary>The compression a reader must undo: Nix treats a missing or empty field as <c>bzip2</c>.</summary>
    public string EffectiveCompression => string.IsNullOrEmpty(Compression) ? "bzip2" : Compression;

    public static NarInfoFile Parse(ReadOnlySpan<byte> text, StoreDir? storeDir = null) => NarInfoReader.Parse(text, storeDir);

    /// <summary>What a signature over this path signs (<see cref="PathInfoFingerprint"/>).</summary>
    public byte[] Fingerprint() => PathInfoFingerprint.Compute(StoreDir, StorePath, NarHash, NarSize, References);

    /// <summary>This narinfo with <paramref name="key"/>'s signature added (as <c>nix store sign</c> would).</summary>
    public NarInfoFile Sign(NixSigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return WithSignature(key.Sign(Fingerprint()).ToString());
    }

    /// <summary>
    /// Adds a signature where Nix's sorted set would put it, so the file comes out as Nix writes
    /// it; an identical signature already present is not added twice.
    /// </summary>
    public NarInfoFile WithSignature(string signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        var signatures = new List<string>(Signatures.Count + 1);
        var placed = false;
        foreach (var existing in Signatures)
        {
            var order = string.CompareOrdinal(existing, signature);
            if (order == 0)
            {
                return this;
            }
            if (order > 0 && !placed)
            {
                signatures.Add(signature);
                placed = true;
            }
            signatures.Add(existing);
        }
        if (!placed)
        {
            signatures.Add(signature);
        }
        return this with { Signatures = signatures };
    }

    /// <summary>Checks every <c>Sig:</c> against <paramref name="trustedKeys"/>, in file order.</summary>
    public IReadOnlyList<SignatureCheck> CheckSignatures(TrustedKeys trustedKeys)
    {
        ArgumentNullException.ThrowIfNull(trustedKeys);
        var fingerprint = Fingerprint();
        var checks = new SignatureCheck[Signatures.Count];
        for (var i = 0; i < checks.Length; i++)
        {
            checks[i] = new SignatureCheck(Signatures[i], trustedKeys.Check(fingerprint, Signatures[i]));
        }
        return checks;
    }

    /// <summary>How many signatures a trusted key verifies (Nix's <c>checkSignatures</c>, compared with <c>--sigs-needed</c>).</summary>
    public int CountValidSignatures(TrustedKeys trustedKeys) =>
        CheckSignatures(trustedKeys).Where(c => c.Status == SignatureStatus.Valid).Select(c => c.Signature).Distinct(StringComparer.Ordinal).Count();

    public byte[] ToBytes() => NarInfoWriter.Write(this);

    public override string ToString() => NarInfoWriter.Format(this);

    public bool Equals(NarInfoFile? other) =>
        other is not null
        && StoreDir.Path == other.StoreDir.Path
        && StorePath == other.StorePath
        && Url == other.Url
        && Compression == other.Compression
        && Equals(FileHash, other.FileHash)
        && (FileHash is null || FileHashEncoding == other.FileHashEncoding)
        && FileSize == other.FileSize
        && NarHash.Equals(other.NarHash)
        && NarHashEncoding == other.NarHashEncoding
        && NarSize == other.NarSize
        && References.SequenceEqual(other.References)
        && Deriver == other.Deriver
        && System == other.System
        && Signatures.SequenceEqual(other.Signatures, StringComparer.Ordinal)
        && ContentAddress == other.ContentAddress
        && ExtraFields.SequenceEqual(other.ExtraFields);

    public override int GetHashCode() => HashCode.Combine(StorePath, NarHash, NarSize);
}
