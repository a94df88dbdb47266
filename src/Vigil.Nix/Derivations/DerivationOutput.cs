using Vigil.Nix.Hashing;
using Vigil.Nix.StorePaths;

namespace Vigil.Nix.Derivations;

/// <summary>
/// One output tuple <c>(name, path, hashAlgo, hash)</c> exactly as stored, plus what it means.
/// <see cref="HashAlgo"/> and <see cref="Hash"/> keep their stored spelling so that writing the
/// derivation back reproduces its bytes.
/// </summary>
public sealed class DerivationOutput
{
    /// <remarks>
    /// Throws <see cref="NixFormatException"/> with format <c>hash algorithm</c> for an unknown
    /// algorithm, <c>hash</c> for an undecodable hash (position inside the hash field) and
    /// <c>derivation output</c> for a combination of fields no Nix 2.8 output has.
    /// </remarks>
    public DerivationOutput(string name, string path, string hashAlgo, string hash)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(hashAlgo);
        ArgumentNullException.ThrowIfNull(hash);
        Name = name;
        Path = path;
        HashAlgo = hashAlgo;
        Hash = hash;
        if (hashAlgo.Length == 0)
        {
            // Nix 2.8 ignores the hash of an algorithm-less output and re-serialises it empty, so
            // keeping it would make our modulo hash differ from Nix's: reject instead.
            if (hash.Length > 0)
            {
                throw new NixFormatException("derivation output", 0, $"output '{name}' has hash '{hash}' but no hash algorithm");
            }
            Kind = path.Length == 0 ? OutputKind.Deferred : OutputKind.InputAddressed;
            return;
        }
        var algoName = hashAlgo.AsSpan();
        if (algoName.StartsWith("r:"))
        {
            Method = ContentAddressMethod.Recursive;
            algoName = algoName[2..];
        }
        if (!HashAlgorithms.TryParse(algoName, out var algo))
        {
            throw new NixFormatException("hash algorithm", 0, $"output '{name}' has unknown hash algorithm '{hashAlgo}'");
        }
        Algorithm = algo;
        if (hash.Length > 0 && hash != "impure")
        {
            Kind = OutputKind.Fixed;
            // As Nix's parseNonSRIUnprefixed: "sha256:…" or SRI in a tuple is a wrong-length hash.
            FixedHash = NixHash.ParseUnprefixed(hash, algo);
            return;
        }
        Kind = hash.Length == 0 ? OutputKind.Floating : OutputKind.Impure;
        if (path.Length > 0)
        {
            // Nix 2.8 asserts (aborts) on this; it never writes a path for these outputs.
            throw new NixFormatException("derivation output", 0, $"{(Kind == OutputKind.Floating ? "floating" : "impure")} output '{name}' must not have a path");
        }
    }

    public string Name { get; }

    /// <summary>Full store path, or empty for floating, deferred and impure outputs.</summary>
    public string Path { get; }

    public string HashAlgo { get; }

    public string Hash { get; }

    public OutputKind Kind { get; }

    public ContentAddressMethod Method { get; }

    public HashAlgorithmKind? Algorithm { get; }

    /// <summary>The expected digest of a fixed output.</summary>
    public NixHash? FixedHash { get; }

    /// <summary><c>[r:]algo</c> as Nix prints it (its <c>printMethodAlgo</c>).</summary>
    public string MethodAlgo => (Method == ContentAddressMethod.Recursive ? "r:" : "") + (Algorithm?.Name() ?? "");
}
