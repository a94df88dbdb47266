using Vigil.Nix.Signatures;

namespace Vigil.Fod.Attestation;

/// <summary>Signs statements into DSSE envelopes with a Nix Ed25519 key (<c>nix-store --generate-binary-cache-key</c>).</summary>
public static class AttestationSigner
{
    /// <summary>
    /// Null when a key of this name can sign attestations, else why not: the name is written into
    /// the envelope unescaped, so it must be printable ASCII without quote or backslash.
    /// </summary>
    public static string? CheckKeyName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return DsseEnvelope.CheckText(name);
    }

    /// <summary>
    /// The canonical envelope file of <paramref name="statement"/>, signed by <paramref name="key"/>
    /// (keyid = the key's name, which must be the statement's issuer).
    /// </summary>
    /// <exception cref="ArgumentException">The issuer is not the key's name, or the name is not printable ASCII.</exception>
    public static byte[] Sign(AttestationStatement statement, NixSigningKey key)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(key);
        if (statement.Issuer != key.Name)
        {
            throw new ArgumentException($"the statement's issuer '{statement.Issuer}' is not the signing key's name '{key.Name}'", nameof(statement));
        }
        var payload = AttestationPayload.Write(statement);
        var pae = DsseEnvelope.Pae(AttestationStatement.PayloadType, payload);
        var signature = key.Sign(pae);
        var envelope = new DsseEnvelope(AttestationStatement.PayloadType, payload, [new DsseSignature(key.Name, signature.Bytes.ToArray())]);
        return envelope.ToBytes();
    }
}
