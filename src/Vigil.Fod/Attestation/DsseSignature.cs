namespace Vigil.Fod.Attestation;

/// <summary>One signature of a DSSE envelope: the signing key's name (a Nix key name) and the 64-byte Ed25519 signature.</summary>
public sealed record DsseSignature(string KeyId, ReadOnlyMemory<byte> Sig);
