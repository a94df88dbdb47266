namespace Vigil.Nix.Fetchers;

/// <summary>
/// Recognises the URL shapes the nixpkgs forge and crate fetchers generate (docs/nix-formats.md
/// §7.5) and pulls the revision out of them. Plain string work on the URL text: these URLs come
/// from expressions, not from servers, and must be read exactly as written (no percent-decoding,
/// no normalisation that could make two different fetches look alike).
/// </summary>
internal static class ForgeUrls
{
    /// <summary>
    /// fetchFromGitHub: <c>https://github.com/O/R/archive/REV.tar.gz</c>, and for private repositories
    /// <c>https://api.github.com/repos/O/R/tarball/REV</c> or, on GitHub Enterprise,
    /// <c>https://BASE/api/v3/repos/O/R/tarball/REV</c>. <paramref name="githubBase"/> (env
    /// <c>githubBase</c>) is accepted as the host besides github.com. REV may hold slashes
    /// (<c>refs/tags/v1.0</c> for <c>tag =</c>).
    /// </summary>
    internal static bool TryGitHub(string url, string? githubBase, out string? rev)
    {
        rev = null;
        if (!TrySplit(url, out var host, out var path, out var query) || query.Length != 0)
        {
            return false;
        }
        var isBase = !string.IsNullOrEmpty(githubBase) && host.SequenceEqual(githubBase);
        if (host.SequenceEqual("github.com") || isBase)
        {
            // O/R/archive/REV.tar.gz
            if (TrySkipSegments(path, 2, out var afterRepo)
                && afterRepo.StartsWith("archive/")
                && afterRepo.EndsWith(".tar.gz")
                && afterRepo.Length > "archive/".Length + ".tar.gz".Length)
            {
                rev = afterRepo["archive/".Length..^".tar.gz".Length].ToString();
                return true;
            }
        }
        if (host.SequenceEqual("api.github.com") || isBase)
        {
            var api = path;
            if (isBase && api.StartsWith("api/v3/"))
            {
                api = api["api/v3/".Length..];
            }
            if (api.StartsWith("repos/")
                && TrySkipSegments(api["repos/".Length..], 2, out var afterRepo)
                && afterRepo.StartsWith("tarball/")
                && afterRepo.Length > "tarball/".Length)
            {
                rev = afterRepo["tarball/".Length..].ToString();
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// fetchFromGitLab: <c>https://HOST/api/v4/projects/O%2FR/repository/archive.tar.gz?sha=REV</c>
    /// (any host: self-hosted GitLab is common), and the web archive form the fetchurl builder warns
    /// about, <c>https://HOST/O/R/-/archive/REV/R-REV.tar.gz</c>.
    /// </summary>
    internal static bool TryGitLab(string url, out string? rev)
    {
        rev = null;
        if (!TrySplit(url, out _, out var path, out var query))
        {
            return false;
        }
        if (path.StartsWith("api/v4/projects/"))
        {
            // The project id is one segment: "O%2FR" or a number.
            if (TrySkipSegments(path["api/v4/projects/".Length..], 1, out var rest)
                && rest.StartsWith("repository/archive")
                && TryQueryValue(query, "sha", out var sha))
            {
                rev = sha.ToString();
                return true;
            }
            return false;
        }
        var marker = path.IndexOf("/-/archive/");
        if (marker > 0)
        {
            var afterArchive = path[(marker + "/-/archive/".Length)..];
            var slash = afterArchive.IndexOf('/');
            if (slash > 0)
            {
                rev = afterArchive[..slash].ToString();
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// fetchCrate and importCargoLock: <c>…/crates/NAME/VERSION/download</c> (crates.io API and any
    /// registry's <c>dl</c> template), or the static form <c>…/crates/NAME/NAME-VERSION.crate</c>.
    /// </summary>
    internal static bool IsCrateDownload(string url)
    {
        if (!TrySplit(url, out _, out var path, out _))
        {
            return false;
        }
        var crates = path.LastIndexOf("crates/");
        if (crates < 0 || (crates > 0 && path[crates - 1] != '/'))
        {
            return false;
        }
        var rest = path[(crates + "crates/".Length)..];
        var first = rest.IndexOf('/');
        if (first <= 0)
        {
            return false;
        }
        var tail = rest[(first + 1)..];
        if (tail.EndsWith(".crate") && !tail.Contains('/'))
        {
            return true;
        }
        var second = tail.IndexOf('/');
        return second > 0 && tail[(second + 1)..].SequenceEqual("download");
    }

    /// <summary>Splits <c>scheme://host/path?query</c>; false when there is no scheme or host.</summary>
    private static bool TrySplit(string url, out ReadOnlySpan<char> host, out ReadOnlySpan<char> path, out ReadOnlySpan<char> query)
    {
        host = path = query = default;
        var text = url.AsSpan();
        var scheme = text.IndexOf("://");
        if (scheme <= 0)
        {
            return false;
        }
        text = text[(scheme + 3)..];
        var fragment = text.IndexOf('#');
        if (fragment >= 0)
        {
            text = text[..fragment];
        }
        var slash = text.IndexOf('/');
        if (slash <= 0)
        {
            return false;
        }
        host = text[..slash];
        path = text[(slash + 1)..];
        var question = path.IndexOf('?');
        if (question >= 0)
        {
            query = path[(question + 1)..];
            path = path[..question];
        }
        return true;
    }

    /// <summary>What follows <paramref name="count"/> non-empty path segments; false if there are fewer.</summary>
    private static bool TrySkipSegments(ReadOnlySpan<char> path, int count, out ReadOnlySpan<char> rest)
    {
        for (var i = 0; i < count; i++)
        {
            var slash = path.IndexOf('/');
            if (slash <= 0)
            {
                rest = default;
                return false;
            }
            path = path[(slash + 1)..];
        }
        rest = path;
        return true;
    }

    /// <summary>The first non-empty value of <paramref name="name"/> in a query string.</summary>
    private static bool TryQueryValue(ReadOnlySpan<char> query, string name, out ReadOnlySpan<char> value)
    {
        foreach (var range in query.Split('&'))
        {
            var pair = query[range];
            if (pair.Length > name.Length + 1 && pair.StartsWith(name) && pair[name.Length] == '=')
            {
                value = pair[(name.Length + 1)..];
                return true;
            }
        }
        value = default;
        return false;
    }
}
