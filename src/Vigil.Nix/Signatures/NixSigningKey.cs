using System.Security.Cryptography;
using NSec.Cryptography;

namespace Vigil.Nix.Signatures;

/// <summary>
/// A Nix secret signing key: <c>name:base64(64 bytes)</c>, the bytes being libsodium's secret key
/// layout, the 32-byte Ed25519 seed followed by the 32-byte public key. libsodium signs with the
/// public half as stored, so a key whose halves disagree would make signatures nobody can verify;
/// parsing rejects it.
/// </summary>
public sealed class NixSigningKey : IDisposable
{
    public const int SeedSize = 32;
    public const int Size = SeedSize + NixPublicKey.Size;

    private static KeyCreationParameters Exportable => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };

    private readonly Key _key;

    private NixSigningKey(string name, Key key)
    {
        Name = name;
        _key = key;
        PublicKey = new NixPublicKey(name, key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    public string Name { get; }

    public NixPublicKey PublicKey { get; }

    /// <summary>
    /// Parses the text of a secret key file (trailing whitespace ignored); throws
    /// <see cref="NixFormatException"/> ("signature") when it is malformed or its public half does
    /// not belong to its seed. Error messages never quote the key.
    /// </summary>
    public static NixSigningKey Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var (name, bytes) = NixKeyText.Parse(text.TrimEnd(), Size, "secret key");
        try
        {
            var key = Key.Import(SignatureAlgorithm.Ed25519, bytes.AsSpan(0, SeedSize), KeyBlobFormat.RawPrivateKey, Exportable);
            var signingKey = new NixSigningKey(name, key);
            if (!signingKey.PublicKey.Bytes.SequenceEqual(bytes.AsSpan(SeedSize)))
            {
                signingKey.Dispose();
                throw new NixFormatException(NixKeyText.FormatName, name.Length + 1, "secret key's public half does not match its seed");
            }
            return signingKey;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>The key Ed25519 derives from a 32-byte seed (deterministic: same seed, same key).</summary>
    public static NixSigningKey FromSeed(string name, ReadOnlySpan<byte> seed)
    {
        NixKeyText.ValidateName(name);
        if (seed.Length != SeedSize)
        {
            throw new ArgumentException($"an Ed25519 seed has {SeedSize} bytes, not {seed.Length}", nameof(seed));
        }
        return new NixSigningKey(name, Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey, Exportable));
    }

    /// <summary>A fresh random key, like <c>nix-store --generate-binary-cache-key</c>.</summary>
    public static NixSigningKey Generate(string name)
    {
        NixKeyText.ValidateName(name);
        return new NixSigningKey(name, Key.Create(SignatureAlgorithm.Ed25519, Exportable));
    }

    /// <summary>Ed25519 is deterministic: the same key and data give the same signature Nix makes.</summary>
    public NixSignature Sign(ReadOnlySpan<byte> data)
    {
        Span<byte> signature = stackalloc byte[NixSignature.Size];
        SignatureAlgorithm.Ed25519.Sign(_key, data, signature);
        return new NixSignature(Name, signature);
    }

    /// <summary>The secret key file text Nix reads (<c>secret-key=</c>, <c>nix store sign --key-file</c>).</summary>
    public string ExportSecretKey()
    {
        var bytes = new byte[Size];
        try
        {
            if (!_key.TryExport(KeyBlobFormat.RawPrivateKey, bytes, out var written) || written != SeedSize)
            {
                throw new InvalidOperationException("the Ed25519 seed could not be exported");
            }
            PublicKey.Bytes.CopyTo(bytes.AsSpan(SeedSize));
            return NixKeyText.Render(Name, bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>Only the name: the secret must not end up in logs by accident.</summary>
    public override string ToString() => Name + " (secret key)";

    public void Dispose() => _key.Dispose();
}
