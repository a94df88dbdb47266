namespace Vigil.Vuln.Scanning;

/// <summary>
/// One vulnerability of one package version of a revision: the JSON contract of
/// <c>vigil vuln scan --format json</c> is these fields (<c>cve</c>, <c>attrs</c>, <c>pname</c>,
/// <c>version</c>, <c>status</c>, <c>confidence</c>, <c>evidence</c>) plus the summary and sources.
/// </summary>
/// <param name="Cve">The CVE id, or the record's own id when it names no CVE (GHSA-…).</param>
/// <param name="Attrs">Attributes reaching the affected derivations, sorted.</param>
/// <param name="Status"><see cref="Triage.TriageStatus"/>: affected, patched, not-affected or ignored.</param>
/// <param name="Sources">The feeds that reported it (<c>cve5</c>, <c>nvd</c>, <c>osv</c>).</param>
public sealed record VulnFinding(
    string Cve,
    IReadOnlyList<string> Attrs,
    string Pname,
    string Version,
    string Status,
    double Confidence,
    IReadOnlyList<string> Evidence,
    string? Summary,
    IReadOnlyList<string> Sources);
