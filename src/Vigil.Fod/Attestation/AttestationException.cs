namespace Vigil.Fod.Attestation;

/// <summary>
/// An attestation failed verification; <see cref="Failure"/> says how and the message says what
/// was wrong. The only exception <see cref="AttestationVerifier.Verify"/> throws for any input.
/// </summary>
public sealed class AttestationException : Exception
{
    public AttestationException(AttestationFailure failure, string message) : base(message) => Failure = failure;

    public AttestationException() : this(AttestationFailure.Malformed, "invalid attestation") { }

    public AttestationException(string message) : this(AttestationFailure.Malformed, message) { }

    public AttestationException(string message, Exception innerException) : base(message, innerException) => Failure = AttestationFailure.Malformed;

    public AttestationFailure Failure { get; }

    /// <summary>Stable lowercase name for JSON output: <c>malformed</c>, <c>unknown-key</c>, <c>bad-signature</c>.</summary>
    public string FailureName => Failure switch
    {
        AttestationFailure.UnknownKey => "unknown-key",
        AttestationFailure.BadSignature => "bad-signature",
        _ => "malformed",
    };
}
