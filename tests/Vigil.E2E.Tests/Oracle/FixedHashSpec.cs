using Vigil.Nix.Hashing;

namespace Vigil.E2E.Tests.Oracle;

/// <summary>How an <c>outputHash</c> is spelled in the source (docs/nix-formats.md §1.5–1.6).</summary>
internal enum HashSpelling
{
    Base16Lower,
    Base16Upper,
    Nix32,
    Base64,
    Sri,
    SriUnpadded,
    PrefixedBase16,
    PrefixedNix32,
    PrefixedBase64,
    Empty,
}

/// <summary>
/// A fixed output as generated: the digest Nix must end up with, and the attribute spellings
/// (<c>outputHash</c>, <c>outputHashAlgo</c> or none, <c>outputHashMode</c> or none) that say it.
/// </summary>
internal sealed record FixedHashSpec(HashAlgorithmKind Algorithm, byte[] Digest, HashSpelling Spelling, string Text, string? AlgoAttr, string? Mode)
{
    public bool Recursive => Mode == "recursive";
}
