using NSec.Cryptography;

namespace Vigil.Nix.Signatures;

/// <summary>
/// A Nix public signing key, <c>name:base64(32-byte Ed25519 public key)</c>, as written by
/// <c>nix-store --generate-binary-cache-key</c> and listed in <c>trusted-public-keys</c>.
/// </summary>
public sealed class NixPublicKey : IEquatable<NixPublicKey>
{
    public const int Size = 32;

    private readonly byte[] _bytes;
    private readonly PublicKey _key;

    public NixPublicKey(string name, ReadOnlySpan<byte> bytes)
    {
        NixKeyText.ValidateName(name);
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"an Ed25519 public key has {Size} bytes, not {bytes.Length}", nameof(bytes));
        }
        Name = name;
        _bytes = bytes.ToArray();
        _key = Import(_bytes) ?? throw new ArgumentException("the bytes are not an Ed25519 public key", nameof(bytes));
    }

    private NixPublicKey(string name, byte[] bytes, PublicKey key)
    {
        Name = name;
        _bytes = bytes;
        _key = key;
    }

    public string Name { get; }

    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>
    /// Parses <c>name:base64</c>. Trailing whitespace is ignored, because key files are often
    /// saved with a final newline; throws <see cref="NixFormatException"/> ("signature") otherwise.
    /// </summary>
    public static NixPublicKey Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var (name, bytes) = NixKeyText.Parse(text.TrimEnd(), Size, "public key");
        var key = Import(bytes) ?? throw new NixFormatException(NixKeyText.FormatName, name.Length + 1, "public key is not a valid Ed25519 public key");
        return new NixPublicKey(name, bytes, key);
    }

    /// <summary>True when <paramref name="signature"/> was made by this key (same name, valid Ed25519) over <paramref name="data"/>.</summary>
    public bool Verify(ReadOnlySpan<byte> data, NixSignature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        return signature.KeyName == Name && SignatureAlgorithm.Ed25519.Verify(_key, data, signature.Bytes);
    }

    public override string ToString() => NixKeyText.Render(Name, _bytes);

    public bool Equals(NixPublicKey? other) => other is not null && other.Name == Name && other._bytes.AsSpan().SequenceEqual(_bytes);

    public override bool Equals(object? obj) => Equals(obj as NixPublicKey);

    public override int GetHashCode() => HashCode.Combine(Name, BitConverter.ToInt32(_bytes, 0));

    private static PublicKey? Import(byte[] bytes) =>
        PublicKey.TryImport(SignatureAlgorithm.Ed25519, bytes, KeyBlobFormat.RawPublicKey, out var key) ? key : null;
}
