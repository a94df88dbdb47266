using Vigil.Data;
using Vigil.Nix.Fetchers;

namespace Vigil.Fod.Detection;

/// <summary>The phrases findings share, so every message names things the same way.</summary>
internal static class Describe
{
    /// <summary>The attribute a reviewer knows the FOD by.</summary>
    public static string Attr(StoredFod fod) => fod.Attrs.Count > 0 ? fod.Attrs[0] : fod.Fod.Name;

    /// <summary>What the FOD fetches: its URLs, or repository and rev, or that it names none.</summary>
    public static string Source(FodRecord fod)
    {
        var urls = fod.Urls.Count switch
        {
            0 => null,
            1 => fod.Urls[0],
            2 => fod.Urls[0] + " (or " + fod.Urls[1] + ")",
            _ => $"{fod.Urls[0]} (or {fod.Urls.Count - 1} more URLs)",
        };
        return (urls, fod.Rev) switch
        {
            (null, null) => $"no URL ({FetcherKinds.Name(fod.Fetcher)})",
            (null, { } rev) => $"rev {rev}",
            ({ } u, null) => u,
            ({ } u, { } rev) => $"{u} at rev {rev}",
        };
    }

    public static string Hash(FodRecord fod) => $"{fod.HashSri} ({fod.HashMode})";

    /// <summary>How to re-fetch it for real: a check build that no cache or hashed mirror can answer.</summary>
    public static string CheckCommand(FodRecord fod) =>
        $"nix-store --realise --check --option substituters '' --option hashed-mirrors '' {fod.DrvPath}";
}
