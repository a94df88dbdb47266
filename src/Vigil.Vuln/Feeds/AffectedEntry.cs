using Vigil.Vuln.Versions;

namespace Vigil.Vuln.Feeds;

/// <summary>
/// One product a feed record says is affected, normalised across feeds: who names it (CPE vendor
/// and product, CVE 5 product/packageName/repo, OSV ecosystem and package), and which versions are
/// affected. <see cref="Origin"/> says which field of the record it came from, for the evidence.
/// </summary>
/// <param name="Origin">E.g. <c>cpe:2.3:a:haxx:curl</c>, <c>cve5 affected[0]</c>, <c>osv PyPI/requests</c>.</param>
/// <param name="Repo">A source repository identity (<see cref="Inventory.SourceIdentity"/> key, e.g. <c>github:curl/curl</c>).</param>
/// <param name="Ecosystem">The OSV ecosystem (or the one a CVE 5 collectionURL names), e.g. <c>PyPI</c>.</param>
/// <param name="Affected">Affected intervals; empty with <paramref name="AllVersions"/> false means no version is known affected.</param>
/// <param name="Unaffected">Versions the record says are not affected; they win over <paramref name="Affected"/>.</param>
/// <param name="AllVersions">The record names no version: every version is taken as affected (low confidence).</param>
public sealed record AffectedEntry(
    string Origin,
    string? Vendor,
    string? Product,
    string? PackageName,
    string? Repo,
    string? Ecosystem,
    IReadOnlyList<VersionRange> Affected,
    IReadOnlyList<VersionRange> Unaffected,
    bool AllVersions);
