namespace Vigil.Nix.Signatures;

/// <summary>What checking one signature string against a set of trusted keys found.</summary>
public enum SignatureStatus
{
    /// <summary>A trusted key of that name verifies it.</summary>
    Valid,

    /// <summary>Well-formed, but no trusted key has its name (Nix ignores it).</summary>
    UntrustedKey,

    /// <summary>The trusted key of that name does not verify it: the data or the signature was changed.</summary>
    Invalid,

    /// <summary>Not a <c>name:base64(64 bytes)</c> signature at all.</summary>
    Malformed,
}
