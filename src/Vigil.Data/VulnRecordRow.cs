namespace Vigil.Data;

/// <summary>
/// One imported vulnerability feed record as stored. <see cref="Affected"/> is the normalised form
/// Vigil.Vuln writes and matches on (opaque here); <see cref="ContentHash"/> is the hash of the
/// record's source JSON, so a re-import rewrites only what changed.
/// </summary>
/// <param name="Source"><c>cve5</c>, <c>nvd</c> or <c>osv</c>.</param>
/// <param name="RecordId">The id within the source (CVE-…, GHSA-…, PYSEC-…).</param>
/// <param name="Aliases">Other ids of the same vulnerability (the CVE ids of an OSV entry).</param>
/// <param name="Modified">The feed's last-modified time as it wrote it, when it gave one.</param>
public sealed record VulnRecordRow(
    string Source,
    string RecordId,
    IReadOnlyList<string> Aliases,
    string ContentHash,
    string? Summary,
    string? Modified,
    string Affected);
