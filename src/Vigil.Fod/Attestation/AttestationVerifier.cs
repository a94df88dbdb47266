using Vigil.Nix.Signatures;

namespace Vigil.Fod.Attestation;

/// <summary>
/// Checks an envelope file against trusted public keys and returns its statement. Every signature
/// in the envelope must be made by a trusted key and verify (Vigil writes one); a signature that
/// could be ignored would be bytes a tamperer could change unnoticed.
/// </summary>
public static class AttestationVerifier
{
    /// <summary>
    /// Verifies <paramref name="envelope"/> (the file's bytes) and returns what it states. Throws
    /// <see cref="AttestationException"/>, and nothing else, for every input that is not a valid
    /// attestation signed by one of <paramref name="trusted"/>.
    /// </summary>
    public static VerifiedAttestation Verify(ReadOnlySpan<byte> envelope, TrustedKeys trusted)
    {
        ArgumentNullException.ThrowIfNull(trusted);
        var parsed = DsseEnvelope.Parse(envelope);
        var pae = parsed.Pae();
        foreach (var signature in parsed.Signatures)
        {
            Check(signature, pae, trusted);
        }
        if (parsed.PayloadType != AttestationStatement.PayloadType)
        {
            throw new AttestationException(AttestationFailure.Malformed,
                $"the payload type is '{parsed.PayloadType}', not a Vigil FOD attestation ('{AttestationStatement.PayloadType}')");
        }
        var statement = AttestationPayload.Read(parsed.Payload);
        var signer = parsed.Signatures.FirstOrDefault(s => s.KeyId == statement.Issuer)
            ?? throw new AttestationException(AttestationFailure.Malformed,
                $"the statement names '{statement.Issuer}' as its issuer, but it is signed by '{parsed.Signatures[0].KeyId}'");
        return new VerifiedAttestation(statement, signer.KeyId);
    }

    private static void Check(DsseSignature signature, byte[] pae, TrustedKeys trusted)
    {
        var sig = signature.Sig.Span;
        if (!trusted.TryGet(signature.KeyId, out var key))
        {
            var known = string.Join(", ", trusted.Select(k => "'" + k.Name + "'"));
            // A signature that one of the trusted keys makes under another name: say so, it is the likely mistake.
            var bytes = signature.Sig;
            var sameKey = sig.Length == NixSignature.Size ? trusted.FirstOrDefault(k => Verifies(k, pae, bytes.Span)) : null;
            throw new AttestationException(AttestationFailure.UnknownKey, sameKey is null
                ? $"signed by key '{signature.KeyId}', which is not trusted (trusted: {known}); pass its public key with --public-key"
                : $"signed by a key named '{signature.KeyId}', but the trusted key that verifies it is named '{sameKey.Name}': key name mismatch");
        }
        if (sig.Length != NixSignature.Size || !Verifies(key!, pae, sig))
        {
            throw new AttestationException(AttestationFailure.BadSignature,
                $"the signature by '{signature.KeyId}' does not verify: the attestation was changed after signing, or was signed by another key of that name");
        }
    }

    private static bool Verifies(NixPublicKey key, byte[] pae, ReadOnlySpan<byte> sig) => key.Verify(pae, new NixSignature(key.Name, sig));
}
