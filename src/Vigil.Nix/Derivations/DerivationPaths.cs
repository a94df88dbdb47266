using System.Security.Cryptography;
using Vigil.Nix.StorePaths;

namespace Vigil.Nix.Derivations;

/// <summary>The paths Nix derives from a derivation: its own <c>.drv</c> path and its output paths.</summary>
public static class DerivationPaths
{
    /// <summary>
    /// <c>makeTextPath(name + ".drv", sha256(aterm), inputSrcs ∪ inputDrvs)</c>. Output paths are not references.
    /// </summary>
    public static StorePath DrvPath(Derivation drv, ReadOnlySpan<byte> aterm, StoreDir storeDir)
    {
        ArgumentNullException.ThrowIfNull(drv);
        ArgumentNullException.ThrowIfNull(storeDir);
        return DrvPathFromDigest(drv, SHA256.HashData(aterm), storeDir);
    }

    /// <summary>As <see cref="DrvPath"/>, from the SHA-256 of the ATerm when the bytes are gone.</summary>
    public static StorePath DrvPathFromDigest(Derivation drv, ReadOnlySpan<byte> atermSha256, StoreDir storeDir)
    {
        ArgumentNullException.ThrowIfNull(drv);
        ArgumentNullException.ThrowIfNull(storeDir);
        return storeDir.MakeTextPath(drv.Name + ".drv", atermSha256, drv.References);
    }

    /// <summary>
    /// What each output's path and env entry must be: input-addressed outputs from the masked
    /// modulo hash, fixed outputs from (method, hash, name) alone, floating and impure outputs a
    /// placeholder in env and no path, deferred outputs nothing.
    /// </summary>
    public static IReadOnlyList<ExpectedOutput> ExpectedOutputs(Derivation drv, DerivationHasher hasher, StoreDir storeDir)
    {
        ArgumentNullException.ThrowIfNull(drv);
        ArgumentNullException.ThrowIfNull(hasher);
        ArgumentNullException.ThrowIfNull(storeDir);
        return ExpectedOutputs(drv, () => hasher.HashModulo(drv, mask: true), storeDir);
    }

    /// <summary>As <see cref="ExpectedOutputs(Derivation, DerivationHasher, StoreDir)"/>, with the masked modulo hash already computed.</summary>
    public static IReadOnlyList<ExpectedOutput> ExpectedOutputs(Derivation drv, byte[] maskedModulo, StoreDir storeDir)
    {
        ArgumentNullException.ThrowIfNull(drv);
        ArgumentNullException.ThrowIfNull(maskedModulo);
        ArgumentNullException.ThrowIfNull(storeDir);
        return ExpectedOutputs(drv, () => maskedModulo, storeDir);
    }

    private static List<ExpectedOutput> ExpectedOutputs(Derivation drv, Func<byte[]> maskedModulo, StoreDir storeDir)
    {
        var result = new List<ExpectedOutput>(drv.Outputs.Count);
        byte[]? masked = null;
        foreach (var output in drv.Outputs)
        {
            switch (output.Kind)
            {
                case OutputKind.Fixed:
                    var fixedPath = storeDir.Print(storeDir.MakeFixedOutputPath(output.Method, output.FixedHash!, drv.Name));
                    result.Add(new ExpectedOutput(output.Name, fixedPath, fixedPath));
                    break;
                case OutputKind.InputAddressed:
                    masked ??= maskedModulo();
                    var path = storeDir.Print(storeDir.MakeOutputPath(output.Name, masked, drv.Name));
                    result.Add(new ExpectedOutput(output.Name, path, path));
                    break;
                case OutputKind.Floating:
                case OutputKind.Impure:
                    result.Add(new ExpectedOutput(output.Name, "", Placeholders.ForOutput(output.Name)));
                    break;
                default:
                    result.Add(new ExpectedOutput(output.Name, "", ""));
                    break;
            }
        }
        return result;
    }
}

/// <summary>An output's expected path (empty when unknown before building) and env value.</summary>
public sealed record ExpectedOutput(string Name, string Path, string EnvValue);
