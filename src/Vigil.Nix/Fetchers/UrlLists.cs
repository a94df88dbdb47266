namespace Vigil.Nix.Fetchers;

/// <summary>URL lists as the nixpkgs fetchurl builder reads them (docs/nix-formats.md §7.4).</summary>
internal static class UrlLists
{
    internal const string MirrorScheme = "mirror://";

    /// <summary>
    /// Appends the words of an env value in order, skipping duplicates. Words are split on bash's
    /// default IFS (space, tab, newline), because <c>for url in $urls</c> in builder.sh is what
    /// decides which URLs exist; a CR or form feed stays inside a URL there, so it does here.
    /// </summary>
    internal static void AddWords(string? text, List<string> into, HashSet<string> seen)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }
        var rest = text.AsSpan();
        while (true)
        {
            var start = rest.IndexOfAnyExcept(" \t\n");
            if (start < 0)
            {
                return;
            }
            rest = rest[start..];
            var end = rest.IndexOfAny(" \t\n");
            var word = end < 0 ? rest : rest[..end];
            AddUnique(word.ToString(), into, seen);
            if (end < 0)
            {
                return;
            }
            rest = rest[end..];
        }
    }

    internal static void AddUnique(string url, List<string> into, HashSet<string> seen)
    {
        if (seen.Add(url))
        {
            into.Add(url);
        }
    }

    /// <summary>
    /// Expands <c>mirror://site/file</c> URLs the way builder.sh does: the site is the text up to
    /// the first <c>/</c>, each of its base URLs is concatenated with the rest (no separator is
    /// added: some bases are query prefixes such as <c>…?url=</c>), bases in list order. Where the
    /// builder would drop a URL of an unknown site with a warning, this keeps it verbatim so the
    /// record still says what the expression asked for.
    /// </summary>
    internal static IReadOnlyList<string> Expand(IReadOnlyList<string> written, Func<string, IReadOnlyList<string>?> mirrorSite)
    {
        List<string>? expanded = null;
        HashSet<string>? seen = null;
        for (var i = 0; i < written.Count; i++)
        {
            var url = written[i];
            if (!url.StartsWith(MirrorScheme, StringComparison.Ordinal))
            {
                if (expanded is not null)
                {
                    AddUnique(url, expanded, seen!);
                }
                continue;
            }
            if (expanded is null)
            {
                // Until the first mirror URL the list is already expanded and duplicate-free.
                expanded = new List<string>(written.Count + 8);
                seen = new HashSet<string>(StringComparer.Ordinal);
                for (var j = 0; j < i; j++)
                {
                    AddUnique(written[j], expanded, seen);
                }
            }
            var path = url.AsSpan(MirrorScheme.Length);
            var slash = path.IndexOf('/');
            var site = slash < 0 ? path.ToString() : path[..slash].ToString();
            var file = slash < 0 ? "" : path[(slash + 1)..].ToString();
            var bases = mirrorSite(site);
            if (bases is null || bases.Count == 0)
            {
                AddUnique(url, expanded, seen!);
                continue;
            }
            foreach (var baseUrl in bases)
            {
                AddUnique(baseUrl + file, expanded, seen!);
            }
        }
        return expanded ?? written;
    }
}
