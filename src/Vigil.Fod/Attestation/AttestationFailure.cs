namespace Vigil.Fod.Attestation;

/// <summary>Why an attestation was rejected.</summary>
public enum AttestationFailure
{
    /// <summary>Not a well-formed envelope or statement in Vigil's canonical form (truncated, edited, reformatted, or not an attestation).</summary>
    Malformed,

    /// <summary>Signed by a key name none of the trusted public keys has.</summary>
    UnknownKey,

    /// <summary>The signature does not verify with the trusted key of that name: the envelope was changed after signing, or the key differs.</summary>
    BadSignature,
}
