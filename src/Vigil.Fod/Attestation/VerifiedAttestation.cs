namespace Vigil.Fod.Attestation;

/// <summary>An attestation whose signature verified: the statement, and the trusted key that signed it.</summary>
public sealed record VerifiedAttestation(AttestationStatement Statement, string KeyName);
