namespace Vigil.Data;

/// <summary>
/// A triage decision about a (CVE, package), kept across revisions.
/// </summary>
/// <param name="Cve">The vulnerability id, or <c>*</c> for every vulnerability of the package.</param>
/// <param name="Pname">The normalised package name (Vigil.Vuln's <c>PackageNames.Normalise</c>).</param>
/// <param name="Version">One version the rule is limited to, or empty for every version.</param>
/// <param name="Status"><c>affected</c>, <c>patched</c>, <c>not-affected</c> or <c>ignored</c>.</param>
/// <param name="Until">The last day the rule holds (inclusive); null = no expiry.</param>
/// <param name="Origin">Where the rule came from: <c>cli</c>, or <c>vulnix:FILE</c> for an imported whitelist.</param>
public sealed record VulnTriageRule(
    string Cve,
    string Pname,
    string Version,
    string Status,
    string Reason,
    DateOnly? Until,
    string? IssueUrl,
    string Origin,
    DateTimeOffset CreatedAt);
