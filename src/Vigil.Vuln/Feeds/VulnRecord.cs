namespace Vigil.Vuln.Feeds;

/// <summary>One vulnerability record of a feed, normalised.</summary>
/// <param name="Source"><see cref="FeedSources"/>: <c>cve5</c>, <c>nvd</c> or <c>osv</c>.</param>
/// <param name="Id">The record's own id (CVE-…, GHSA-…).</param>
/// <param name="Aliases">Other ids of the same vulnerability.</param>
public sealed record VulnRecord(
    string Source,
    string Id,
    IReadOnlyList<string> Aliases,
    string? Summary,
    string? Modified,
    IReadOnlyList<AffectedEntry> Affected)
{
    /// <summary>The id findings are reported under: the CVE id when the record is or names one, else its own id.</summary>
    public string VulnerabilityId =>
        Id.StartsWith("CVE-", StringComparison.OrdinalIgnoreCase)
            ? Id
            : Aliases.FirstOrDefault(a => a.StartsWith("CVE-", StringComparison.OrdinalIgnoreCase)) ?? Id;
}
