using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Vigil.Fod.Reporting;
using Vigil.Vuln.Scanning;
using Vigil.Vuln.Triage;

namespace Vigil.Vuln.Reporting;

/// <summary>
/// Affected findings as SARIF 2.1.0 for GitHub code scanning: one rule per vulnerability (help
/// links to its NVD or OSV page), one result per (vulnerability, package version) located at the
/// scanned expression, its attributes as logical locations, and a fingerprint stable across runs.
/// Patched, ignored and not-affected findings are left out: code scanning is for what needs doing.
/// </summary>
public static class VulnSarif
{
    public static void Write(Utf8JsonWriter json, VulnScanResult scan, string artifactUri, string toolVersion)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(scan);
        var affected = scan.Findings.Where(f => f.Status == TriageStatus.Affected).ToList();
        var rules = affected.Select(f => f.Cve).Distinct(StringComparer.Ordinal).ToList();
        var ruleIndex = rules.Select((r, i) => (r, i)).ToDictionary(x => x.r, x => x.i, StringComparer.Ordinal);
        SarifWriter.WriteLog(json, toolVersion, $"vigil/vuln/{scan.Revision.Name}", json =>
        {
            foreach (var id in rules)
            {
                var summary = affected.First(f => f.Cve == id).Summary ?? id;
                json.WriteStartObject();
                json.WriteString("id", id);
                SarifWriter.WriteText(json, "shortDescription", summary.Length > 200 ? summary[..200] + "…" : summary);
                json.WriteString("helpUri", id.StartsWith("CVE-", StringComparison.Ordinal) ? $"https://nvd.nist.gov/vuln/detail/{id}" : $"https://osv.dev/vulnerability/{id}");
                json.WriteStartObject("properties");
                json.WriteStartArray("tags");
                json.WriteStringValue("security");
                json.WriteStringValue("vulnerability");
                json.WriteEndArray();
                json.WriteEndObject();
                json.WriteEndObject();
            }
        }, json =>
        {
            foreach (var f in affected)
            {
                json.WriteStartObject();
                json.WriteString("ruleId", f.Cve);
                json.WriteNumber("ruleIndex", ruleIndex[f.Cve]);
                json.WriteString("level", f.Confidence >= 0.75 ? "error" : "warning");
                SarifWriter.WriteText(json, "message", $"{f.Pname} {f.Version} is affected by {f.Cve} (confidence {f.Confidence:0.00}): {string.Join("; ", f.Evidence)}");
                SarifWriter.WriteLocations(json, artifactUri, f.Attrs);
                json.WriteStartObject("partialFingerprints");
                json.WriteString("vigilVuln/v1", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{f.Cve}\n{f.Pname}\n{f.Version}"))));
                json.WriteEndObject();
                json.WriteEndObject();
            }
        });
    }
}
