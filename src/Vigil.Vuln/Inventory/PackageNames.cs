namespace Vigil.Vuln.Inventory;

/// <summary>
/// Package-name normalisation and the name variants a package is looked up under. Names compare
/// lowercase with every run of <c>-</c>, <c>_</c> and <c>.</c> made one <c>-</c> (as PEP 503 does), so
/// <c>Foo_Bar</c>, <c>foo-bar</c> and <c>foo.bar</c> are one name. Variants drop the language prefixes
/// nixpkgs puts on interpreter packages (<c>python3.12-</c>, <c>perl5.38.0-</c>…) and build-flavour
/// suffixes (<c>-unwrapped</c>, <c>-minimal</c>…); a match through a variant is less certain.
/// </summary>
public static class PackageNames
{
    private static readonly string[] FlavourSuffixes = ["-unwrapped", "-minimal", "-full", "-static", "-bin"];

    // Prefix word → the ecosystem a package with that prefix belongs to (OSV's names).
    private static readonly (string Prefix, string Ecosystem)[] LanguagePrefixes =
    [
        ("python", "PyPI"), ("pypy", "PyPI"), ("perl", "CPAN"), ("ruby", "RubyGems"), ("lua", "LuaRocks"), ("ocaml", "opam"), ("php", "Packagist"),
    ];

    public static string Normalise(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        // Most names (every feed product and pname, millions of calls a scan) are normal already:
        // then the name itself is the answer, and nothing is allocated.
        if (IsNormal(name))
        {
            return name;
        }
        var trimmed = name.AsSpan().Trim();
        var buffer = trimmed.Length <= 256 ? stackalloc char[trimmed.Length] : new char[trimmed.Length];
        var length = 0;
        var pendingDash = false;
        foreach (var c in trimmed)
        {
            if (c is '-' or '_' or '.')
            {
                pendingDash = length > 0;
                continue;
            }
            if (pendingDash)
            {
                buffer[length++] = '-';
                pendingDash = false;
            }
            buffer[length++] = char.ToLowerInvariant(c);
        }
        return new string(buffer[..length]);
    }

    /// <summary>Whether <see cref="Normalise"/> would return the name unchanged.</summary>
    private static bool IsNormal(string name)
    {
        if (name.Length == 0)
        {
            return true;
        }
        if (name[0] is '-' or '_' or '.' || name[^1] is '-' or '_' or '.' || char.IsWhiteSpace(name[0]) || char.IsWhiteSpace(name[^1]))
        {
            return false;
        }
        var previousDash = false;
        foreach (var c in name)
        {
            if (c is '_' or '.' || (c == '-' && previousDash) || char.ToLowerInvariant(c) != c)
            {
                return false;
            }
            previousDash = c == '-';
        }
        return true;
    }

    /// <summary>The language prefix of a nixpkgs pname (<c>python3.12-requests</c> → (<c>PyPI</c>, <c>requests</c>)), or null.</summary>
    public static (string Ecosystem, string Name)? SplitLanguagePrefix(string pname)
    {
        ArgumentNullException.ThrowIfNull(pname);
        var dash = pname.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0 || dash == pname.Length - 1)
        {
            return null;
        }
        var head = pname.AsSpan(0, dash);
        foreach (var (prefix, ecosystem) in LanguagePrefixes)
        {
            if (head.StartsWith(prefix, StringComparison.Ordinal) && head.Length > prefix.Length && char.IsAsciiDigit(head[prefix.Length])
                && head[prefix.Length..].IndexOfAnyExcept("0123456789.") < 0)
            {
                return (ecosystem, pname[(dash + 1)..]);
            }
        }
        return null;
    }

    /// <summary>The normalised names to look <paramref name="pname"/> up under: itself first, then its variants (<c>IsVariant</c> true).</summary>
    public static List<(string Name, bool IsVariant)> Candidates(string pname)
    {
        var list = new List<(string, bool)>(3);
        var own = Normalise(pname);
        if (own.Length == 0)
        {
            return list;
        }
        list.Add((own, false));
        var rest = SplitLanguagePrefix(pname) is { } split ? Normalise(split.Name) : own;
        Add(list, rest);
        foreach (var suffix in FlavourSuffixes)
        {
            if (rest.EndsWith(suffix, StringComparison.Ordinal) && rest.Length > suffix.Length)
            {
                Add(list, rest[..^suffix.Length]);
            }
        }
        return list;

        static void Add(List<(string, bool)> list, string name)
        {
            if (name.Length > 0 && !list.Exists(c => c.Item1 == name))
            {
                list.Add((name, true));
            }
        }
    }
}
