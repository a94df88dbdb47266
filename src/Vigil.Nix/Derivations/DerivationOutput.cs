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
    public DerivationOutput(string name, string path, string hashAlgo, string hash)
    {
        Name = name;
        Path = path;
        HashAlgo = hashAlgo;
        Hash = hash;
        if (hashAlgo.Length == 0)
        {
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
            throw new NixFormatException("derivation", 0, $"output '{name}' has unknown hash algorithm '{hashAlgo}'");
        }
        Algorithm = algo;
        if (hash == "impure")
        {
            Kind = OutputKind.Impure;
        }
        else if (hash.Length > 0)
        {
            Kind = OutputKind.Fixed;
            FixedHash = NixHash.Parse(hash, algo);
        }
        else
        {
            Kind = OutputKind.Floating;
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
