namespace Vigil.Vuln.Scanning;

/// <summary>
/// What changed between two revisions' findings: <see cref="New"/> are (vulnerability, pname) pairs
/// affected in the head and not in the base (a new package, a version bump into a range, a patch
/// dropped, or a record imported since); <see cref="Fixed"/> are those affected in the base and not
/// in the head (updated, patched, removed or triaged away). Pairs compare by vulnerability and
/// pname, not version, so a bump that stays affected is neither.
/// </summary>
public sealed record VulnDiff(VulnScanResult Base, VulnScanResult Head, IReadOnlyList<VulnFinding> New, IReadOnlyList<VulnFinding> Fixed)
{
    public static VulnDiff Between(VulnScanResult baseScan, VulnScanResult headScan)
    {
        ArgumentNullException.ThrowIfNull(baseScan);
        ArgumentNullException.ThrowIfNull(headScan);
        static HashSet<(string, string)> Affected(VulnScanResult scan) =>
            scan.Findings.Where(f => f.Status == Triage.TriageStatus.Affected).Select(f => (f.Cve, f.Pname)).ToHashSet();
        var before = Affected(baseScan);
        var after = Affected(headScan);
        var added = headScan.Findings.Where(f => f.Status == Triage.TriageStatus.Affected && !before.Contains((f.Cve, f.Pname))).ToList();
        var fixedOnes = baseScan.Findings.Where(f => f.Status == Triage.TriageStatus.Affected && !after.Contains((f.Cve, f.Pname))).ToList();
        return new VulnDiff(baseScan, headScan, added, fixedOnes);
    }
}
