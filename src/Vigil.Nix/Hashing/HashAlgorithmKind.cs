namespace Vigil.Nix.Hashing;

/// <summary>The digest algorithms Nix 2.8 knows, by their lowercase names.</summary>
public enum HashAlgorithmKind
{
    Md5,
    Sha1,
    Sha256,
    Sha512,
}
