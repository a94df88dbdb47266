using System.Security.Cryptography;

namespace Vigil.Nix.Signatures;

/// <summary>
/// A detached Ed25519 signature as Nix writes it in <c>Sig:</c> lines and path-info
/// <c>signatures</c>: <c>keyname:base64(64 bytes)</c>. The key name says which trusted public key
/// must verify it.
/// </summary>
public sealed class NixSignature : IEquatable<NixSignature>
{
    public const int Size = 64;

    private readonly byte[] _bytes;

    public NixSignature(string keyName, ReadOnlySpan<byte> bytes)
    {
        NixKeyText.ValidateName(keyName);
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"an Ed25519 signature has {Size} bytes, not {bytes.Length}", nameof(bytes));
        }
        KeyName = keyName;
        _bytes = bytes.ToArray();
    }

    private NixSignature(string keyName, byte[] bytes)
    {
        KeyName = keyName;
        _bytes = bytes;
    }

    public string KeyName { get; }

    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>Parses <c>name:base64</c>; throws <see cref="NixFormatException"/> ("signature") on anything else.</summary>
    public static NixSignature Parse(string text)
    {
        var (name, bytes) = NixKeyText.Parse(text, Size, "signature");
        return new NixSignature(name, bytes);
    }

    public static bool TryParse(string text, out NixSignature? signature)
    {
        try
        {
            signature = Parse(text);
            return true;
        }
        catch (NixFormatException)
        {
            signature = null;
            return false;
        }
    }

    public override string ToString() => NixKeyText.Render(KeyName, _bytes);

    public bool Equals(NixSignature? other) =>
        other is not null && other.KeyName == KeyName && CryptographicOperations.FixedTimeEquals(other._bytes, _bytes);

    public override bool Equals(object? obj) => Equals(obj as NixSignature);

    public override int GetHashCode() => HashCode.Combine(KeyName, BitConverter.ToInt32(_bytes, 0));
}
