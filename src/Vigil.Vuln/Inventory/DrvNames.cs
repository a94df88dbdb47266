using System.Text.RegularExpressions;

namespace Vigil.Vuln.Inventory;

/// <summary>Package names and versions from derivation names, and the CVE ids patch names mention.</summary>
public static partial class DrvNames
{
    // Names of sources, patches and archives: inputs of packages, not packages.
    private static readonly string[] NonPackageSuffixes =
    [
        ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".tar.zst", ".tar.lz", ".tar", ".zip", ".gz", ".xz", ".bz2",
        ".patch", ".diff", ".gem", ".whl", ".crate", ".deb", ".rpm", ".jar", ".sh", ".drv",
    ];

    /// <summary>
    /// Nix's own split (<c>DrvName</c>, <c>builtins.parseDrvName</c>): the name ends and the version
    /// begins at the first <c>-</c> followed by something that is not a letter. No such dash: no version.
    /// </summary>
    public static (string Name, string Version) Split(string drvName)
    {
        ArgumentNullException.ThrowIfNull(drvName);
        for (var i = 0; i + 1 < drvName.Length; i++)
        {
            if (drvName[i] == '-' && !char.IsAsciiLetter(drvName[i + 1]))
            {
                return (drvName[..i], drvName[(i + 1)..]);
            }
        }
        return (drvName, "");
    }

    /// <summary>The name part of a store path (<c>/nix/store/HASH-NAME[.drv]</c>), without <c>.drv</c>.</summary>
    public static string NameOfPath(string storePath)
    {
        ArgumentNullException.ThrowIfNull(storePath);
        // Sliced as a span: one string allocated, not three (this runs for every input of every derivation of an inventory).
        var baseName = storePath.AsSpan(storePath.LastIndexOf('/') + 1);
        var dash = baseName.IndexOf('-');
        var name = dash >= 0 ? baseName[(dash + 1)..] : baseName;
        return (name.EndsWith(".drv", StringComparison.Ordinal) ? name[..^4] : name).ToString();
    }

    /// <summary>Whether a derivation of this name is a package (not an archive, a patch, a script or a version-less helper).</summary>
    public static bool IsPackageName(string drvName, out string pname, out string version)
    {
        (pname, version) = Split(drvName);
        if (version.Length == 0 || pname.Length == 0 || !char.IsAsciiDigit(version[0]) && !(version.Length > 1 && version[0] is 'v' && char.IsAsciiDigit(version[1])))
        {
            return false;
        }
        foreach (var suffix in NonPackageSuffixes)
        {
            if (drvName.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Every CVE id in <paramref name="text"/> (a patch name or URL), uppercase, in order of appearance, each once.</summary>
    public static List<string> CveIds(string text)
    {
        var list = new List<string>();
        if (string.IsNullOrEmpty(text) || text.IndexOf("cve", StringComparison.OrdinalIgnoreCase) < 0)
        {
            return list;
        }
        foreach (Match m in CvePattern().Matches(text))
        {
            var id = $"CVE-{m.Groups[1].Value}-{m.Groups[2].Value}";
            if (!list.Contains(id))
            {
                list.Add(id);
            }
        }
        return list;
    }

    // CVE-2023-1234, cve_2023_1234, CVE20231234 is too ambiguous and left out.
    [GeneratedRegex(@"(?i)cve[-_](\d{4})[-_](\d{4,7})(?!\d)", RegexOptions.CultureInvariant)]
    private static partial Regex CvePattern();
}
