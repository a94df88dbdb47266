namespace Vigil.Fod.Verification;

/// <summary>How an FOD was verified.</summary>
public enum VerificationMethod
{
    /// <summary>Vigil downloaded the URLs itself and hashed the bytes (flat fetchurl FODs).</summary>
    Native,

    /// <summary>Real Nix realised the derivation with no substituters and no hashed mirrors.</summary>
    Rebuild,
}
