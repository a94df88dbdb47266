using Vigil.Nix.Fetchers;
using Vigil.Data;

namespace Vigil.Fod.Release;

/// <summary>Liveness rows by FOD identity: (recipe, hash, mode), the key verification is stored under.</summary>
internal static class LivenessIndex
{
    public static (string Recipe, string Hash, string Mode) Key(FodRecord fod) => (fod.RecipeHash, fod.HashSri, fod.HashMode);

    public static Dictionary<(string Recipe, string Hash, string Mode), FodLiveness> Of(IReadOnlyList<FodLiveness> liveness)
    {
        ArgumentNullException.ThrowIfNull(liveness);
        return liveness.ToDictionary(l => (l.RecipeHash, l.HashSri, l.HashMode));
    }
}
