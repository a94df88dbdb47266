using Vigil.Data;

namespace Vigil.Vuln.Scanning;

/// <summary>A revision's findings (by CVE, then package), with what was matched and how long it took.</summary>
/// <param name="Rejected">Candidates rejected as another project (same name), for the counts.</param>
/// <param name="ExpiredRules">Triage rules no longer applied because their day has passed.</param>
/// <param name="RootsOnly">The revision had no stored derivation graph, so its roots were the packages.</param>
public sealed record VulnScanResult(
    RevisionInfo Revision,
    int Packages,
    int Records,
    IReadOnlyList<VulnFinding> Findings,
    int Rejected,
    IReadOnlyList<VulnTriageRule> ExpiredRules,
    TimeSpan LoadTime,
    TimeSpan MatchTime,
    bool RootsOnly = false)
{
    public int Count(string status) => Findings.Count(f => f.Status == status);
}
