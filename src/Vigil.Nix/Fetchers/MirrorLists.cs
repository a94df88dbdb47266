using System.Buffers;
using System.Runtime.CompilerServices;
using Vigil.Nix.Derivations;

namespace Vigil.Nix.Fetchers;

/// <summary>
/// The <c>mirror://</c> sites of a nixpkgs <c>mirrors-list</c> derivation (docs/nix-formats.md §7.3–7.4).
/// That derivation spreads <c>mirrors.nix</c> into its own env, one variable per site holding a
/// space-separated list of base URLs, and its builder writes the lines <c>set | grep -E
/// '^[a-zA-Z]+=.*://'</c> keeps; fetchurl's builder sources them. So a site is exactly an env key of
/// ASCII letters whose value contains <c>://</c>: other env entries (<c>name</c>, <c>builder</c>,
/// <c>out</c>…) are not sites even though a <c>mirror://out/…</c> URL would name one.
/// </summary>
internal static class MirrorLists
{
    // One mirrors-list drv serves every fetchurl FOD of a package set; callers that cache loaded
    // derivations get the parsed sites once per drv instead of once per FOD.
    private static readonly ConditionalWeakTable<Derivation, Dictionary<string, IReadOnlyList<string>>> Cache = [];

    private static readonly SearchValues<char> AsciiLetters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    internal static Dictionary<string, IReadOnlyList<string>> Sites(Derivation mirrorsList) =>
        Cache.GetValue(mirrorsList, static drv => Parse(DerivationEnv.All(drv)));

    internal static bool IsSiteName(ReadOnlySpan<char> site) =>
        !site.IsEmpty && !site.ContainsAnyExcept(AsciiLetters);

    internal static Dictionary<string, IReadOnlyList<string>> Parse(IEnumerable<KeyValuePair<string, string>> env)
    {
        var sites = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (key, value) in env)
        {
            if (!IsSiteName(key) || !value.Contains("://", StringComparison.Ordinal) || sites.ContainsKey(key))
            {
                continue;
            }
            var bases = new List<string>();
            UrlLists.AddWords(value, bases, new HashSet<string>(StringComparer.Ordinal));
            sites[key] = bases;
        }
        return sites;
    }
}
