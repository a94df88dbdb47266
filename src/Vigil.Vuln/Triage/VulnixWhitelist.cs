using System.Globalization;
using Vigil.Data;
using Vigil.Vuln.Inventory;

namespace Vigil.Vuln.Triage;

/// <summary>
/// vulnix whitelists (TOML) as triage rules. Each section is a package: <c>["pname-version"]</c> (that
/// version), <c>["pname"]</c> (every version) or <c>["*"]</c> (every package); <c>cve = [...]</c> limits it
/// to those CVEs (none = every CVE), <c>until = "YYYY-MM-DD"</c> makes it expire after that day,
/// <c>issue_url</c> and <c>comment</c> are kept (the comment as the reason). Every rule is <c>ignored</c>,
/// which is what a vulnix whitelist entry means. Other keys are ignored, as vulnix does.
/// </summary>
public static class VulnixWhitelist
{
    /// <exception cref="WhitelistFormatException">The text is not a vulnix whitelist.</exception>
    public static List<VulnTriageRule> Parse(string text, string origin, DateTimeOffset createdAt)
    {
        var rules = new Dictionary<(string, string, string), VulnTriageRule>();
        foreach (var (table, keys) in TomlSubset.Parse(text))
        {
            string pname, version;
            if (table == "*")
            {
                (pname, version) = ("*", "");
            }
            else
            {
                (pname, version) = DrvNames.Split(table.Trim());
                if (pname.Length == 0)
                {
                    throw new WhitelistFormatException($"section '{table}' names no package");
                }
            }
            var cves = keys.TryGetValue("cve", out var cve)
                ? cve.List ?? (cve.Text is { } one ? [one] : throw new WhitelistFormatException($"[{table}]: cve must be a string or a list of strings"))
                : ["*"];
            DateOnly? until = null;
            if (keys.TryGetValue("until", out var u))
            {
                until = u.Text is { } t && DateOnly.TryParseExact(t.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                    ? d
                    : throw new WhitelistFormatException($"[{table}]: until must be a date YYYY-MM-DD");
            }
            var comment = keys.TryGetValue("comment", out var c) ? c.Text : null;
            var issue = keys.TryGetValue("issue_url", out var i) ? i.Text : null;
            foreach (var id in cves)
            {
                var cveId = id.Trim().ToUpperInvariant();
                if (cveId.Length == 0)
                {
                    throw new WhitelistFormatException($"[{table}]: an empty CVE id");
                }
                var normalised = pname == "*" ? "*" : PackageNames.Normalise(pname);
                rules[(cveId, normalised, version)] = new VulnTriageRule(
                    cveId, normalised, version, TriageStatus.Ignored, comment ?? "vulnix whitelist", until, issue, origin, createdAt);
            }
        }
        return [.. rules.Values];
    }
}
