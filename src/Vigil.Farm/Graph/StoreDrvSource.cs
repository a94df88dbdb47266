using System.Text;
using System.Text.Json;
using Vigil.Nix.Derivations;
using Vigil.Store;

namespace Vigil.Farm.Graph;

/// <summary>
/// Reads <c>.drv</c> files of a local (or chroot) store with <see cref="DerivationReader"/>, in
/// parallel: system, <c>requiredSystemFeatures</c> (the environment variable, or the JSON array of a
/// <c>__structuredAttrs</c> derivation, as Nix reads it), output paths and input derivations.
/// </summary>
public sealed class StoreDrvSource(DerivationReader reader) : IDrvSource
{
    public IReadOnlyList<DrvInfo> Load(IReadOnlyList<string> drvPaths, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(drvPaths);
        var list = new DrvInfo[drvPaths.Count];
        Parallel.For(0, list.Length, new ParallelOptions { CancellationToken = cancellationToken }, i => list[i] = Info(drvPaths[i], reader.Read(drvPaths[i])));
        return list;
    }

    /// <summary>The scheduler's view of a parsed derivation.</summary>
    public static DrvInfo Info(string drvPath, Derivation drv)
    {
        ArgumentNullException.ThrowIfNull(drv);
        var outputs = drv.Outputs.Where(o => o.Path.Length > 0).Select(o => o.Path).ToArray();
        var inputs = drv.InputDerivations.Select(i => i.Path).ToArray();
        return new DrvInfo(drvPath, Encoding.UTF8.GetString(drv.Platform), RequiredFeatures(drv), outputs, inputs);
    }

    private static string[] RequiredFeatures(Derivation drv)
    {
        if (drv.GetEnvString("__json") is { } json)
        {
            try
            {
                using var doc = JsonDocument.Parse(json);
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("requiredSystemFeatures", out var features) && features.ValueKind == JsonValueKind.Array)
                {
                    return Normalise(features.EnumerateArray().Where(f => f.ValueKind == JsonValueKind.String).Select(f => f.GetString()!));
                }
            }
            catch (JsonException)
            {
                // A malformed __json is Nix's error to report at build time; here it just has no features.
            }
            return [];
        }
        return drv.GetEnvString("requiredSystemFeatures") is { } text ? Normalise(text.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries)) : [];
    }

    private static string[] Normalise(IEnumerable<string> features)
    {
        var set = features.Distinct(StringComparer.Ordinal).ToArray();
        Array.Sort(set, StringComparer.Ordinal);
        return set;
    }
}
