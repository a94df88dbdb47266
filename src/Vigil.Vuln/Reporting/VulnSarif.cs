using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
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
        json.WriteStartObject();
        json.WriteString("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        json.WriteString("version", "2.1.0");
        json.WriteStartArray("runs");
        json.WriteStartObject();
        json.WriteStartObject("tool");
        json.WriteStartObject("driver");
        json.WriteString("name", "vigil");
        json.WriteString("semanticVersion", toolVersion);
        json.WriteStartArray("rules");
        foreach (var id in rules)
        {
            var summary = affected.First(f => f.Cve == id).Summary ?? id;
            json.WriteStartObject();
            json.WriteString("id", id);
            json.WriteStartObject("shortDescription");
            json.WriteString("text", summary.Length > 200 ? summary[..200] + "…" : summary);
            json.WriteEndObject();
            json.WriteString("helpUri", id.StartsWith("CVE-", StringComparison.Ordinal) ? $"https://nvd.nist.gov/vuln/detail/{id}" : $"https://osv.dev/vulnerability/{id}");
            json.WriteStartObject("properties");
            json.WriteStartArray("tags");
            json.WriteStringValue("security");
            json.WriteStringValue("vulnerability");
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartObject("automationDetails");
        json.WriteString("id", $"vigil/vuln/{scan.Revision.Name}");
        json.WriteEndObject();
        json.WriteStartArray("results");
        foreach (var f in affected)
        {
            json.WriteStartObject();
            json.WriteString("ruleId", f.Cve);
            json.WriteNumber("ruleIndex", ruleIndex[f.Cve]);
            json.WriteString("level", f.Confidence >= 0.75 ? "error" : "warning");
            json.WriteStartObject("message");
            json.WriteString("text", $"{f.Pname} {f.Version} is affected by {f.Cve} (confidence {f.Confidence:0.00}): {string.Join("; ", f.Evidence)}");
            json.WriteEndObject();
            json.WriteStartArray("locations");
            json.WriteStartObject();
            json.WriteStartObject("physicalLocation");
            json.WriteStartObject("artifactLocation");
            json.WriteString("uri", artifactUri);
            json.WriteEndObject();
            json.WriteStartObject("region");
            json.WriteNumber("startLine", 1);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteStartArray("logicalLocations");
            foreach (var attr in f.Attrs.Take(3))
            {
                json.WriteStartObject();
                json.WriteString("fullyQualifiedName", attr);
                json.WriteString("kind", "member");
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteStartObject("partialFingerprints");
            json.WriteString("vigilVuln/v1", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{f.Cve}\n{f.Pname}\n{f.Version}"))));
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
