using Vigil.Data;
using Vigil.Vuln.Inventory;

namespace Vigil.Vuln.Triage;

/// <summary>
/// The triage rules in force on a day (the clock is injected): a rule holds through its
/// <c>until</c> day, inclusive, and not after. For a (CVE, package, version) the most specific rule
/// holding wins, looked for in this order: (CVE, name), (<c>*</c>, name), (CVE, <c>*</c>), (<c>*</c>, <c>*</c>);
/// within each, a rule for the exact version before one for every version. Names compare normalised
/// (<see cref="PackageNames.Normalise"/>).
/// </summary>
public sealed class TriageBook
{
    private readonly Dictionary<(string Cve, string Pname), List<VulnTriageRule>> rules = [];

    public TriageBook(IEnumerable<VulnTriageRule> all, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(all);
        ArgumentNullException.ThrowIfNull(time);
        Today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        foreach (var rule in all)
        {
            if (rule.Until is { } until && until < Today)
            {
                Expired.Add(rule);
                continue;
            }
            var key = (rule.Cve.ToUpperInvariant(), rule.Pname == "*" ? "*" : PackageNames.Normalise(rule.Pname));
            if (!rules.TryGetValue(key, out var list))
            {
                rules[key] = list = [];
            }
            list.Add(rule);
        }
    }

    public DateOnly Today { get; }

    /// <summary>Rules whose <c>until</c> day has passed: no longer applied, listed so they can be renewed.</summary>
    public List<VulnTriageRule> Expired { get; } = [];

    /// <summary>The rule deciding (<paramref name="cve"/>, <paramref name="pname"/>, <paramref name="version"/>), or null.</summary>
    public VulnTriageRule? Find(string cve, string pname, string version)
    {
        ArgumentNullException.ThrowIfNull(cve);
        ArgumentNullException.ThrowIfNull(pname);
        var name = PackageNames.Normalise(pname);
        foreach (var key in new[] { (cve.ToUpperInvariant(), name), ("*", name), (cve.ToUpperInvariant(), "*"), ("*", "*") })
        {
            if (rules.TryGetValue(key, out var list))
            {
                var found = list.Find(r => r.Version == version) ?? list.Find(r => r.Version.Length == 0);
                if (found is not null)
                {
                    return found;
                }
            }
        }
        return null;
    }
}
