using System.Security.Cryptography;
using System.Text;
using Vigil.Nix.Hashing;
using Vigil.Nix.StorePaths;

namespace Vigil.Nix.Derivations;

/// <summary>Strings that stand for output paths not known at evaluation time (floating CA outputs).</summary>
public static class Placeholders
{
    /// <summary><c>hashPlaceholder</c>: "/" + nix32(sha256("nix-output:" + output)).</summary>
    public static string ForOutput(string outputName) =>
        "/" + Nix32.Encode(SHA256.HashData(Encoding.UTF8.GetBytes("nix-output:" + outputName)));

    /// <summary><c>downstreamPlaceholder</c> for an output of an input derivation.</summary>
    public static string ForUpstreamOutput(StorePath drvPath, string outputName)
    {
        var drvName = drvPath.Name[..^4].ToString();
        var text = "nix-upstream-output:" + drvPath.HashPart.ToString() + ":" + StoreDir.OutputPathName(drvName, outputName);
        return "/" + Nix32.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
