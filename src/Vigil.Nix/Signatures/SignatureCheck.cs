namespace Vigil.Nix.Signatures;

/// <summary>One signature string and what checking it found.</summary>
public readonly record struct SignatureCheck(string Signature, SignatureStatus Status);
