using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Vigil.Fod.Detection;

namespace Vigil.Fod.Reporting;

/// <summary>
/// A <see cref="FodReport"/>'s findings as SARIF 2.1.0, in the subset GitHub code scanning reads:
/// one run, a rule per detector, a result per finding with a physical location (the scanned
/// expression: FODs have no source position in a derivation), the attribute as a logical
/// location, and a partial fingerprint so a finding keeps its identity across runs.
/// </summary>
public static class SarifReport
{
    /// <param name="artifactUri">The file the findings are reported against, relative to the repository root where possible.</param>
    /// <param name="toolVersion">Vigil's version, for the tool record.</param>
    public static void Write(Utf8JsonWriter json, FodReport report, string artifactUri, string toolVersion)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(artifactUri);
        var rules = FodReview.Detectors;
        var ruleIndex = rules.Select((r, i) => (r.Kind, i)).ToDictionary(x => x.Kind, x => x.i, StringComparer.Ordinal);
        SarifWriter.WriteLog(json, toolVersion, $"vigil/fod/{report.Head.Name}", json =>
        {
            foreach (var rule in rules)
            {
                json.WriteStartObject();
                json.WriteString("id", rule.Kind);
                json.WriteString("name", PascalCase(rule.Kind));
                WriteText(json, "shortDescription", rule.Summary);
                WriteText(json, "fullDescription", rule.Summary);
                WriteText(json, "help", rule.Summary + " See docs/detectors.md of Vigil for what to do.");
                json.WriteStartObject("defaultConfiguration");
                json.WriteString("level", ReportJson.SeverityName(rule.Severity));
                json.WriteEndObject();
                json.WriteStartObject("properties");
                json.WriteStartArray("tags");
                json.WriteStringValue("security");
                json.WriteStringValue("supply-chain");
                json.WriteEndArray();
                // GitHub ranks security alerts by this CVSS-like score.
                json.WriteString("security-severity", rule.Severity switch { Severity.Error => "8.0", Severity.Warning => "5.0", _ => "2.0" });
                json.WriteEndObject();
                json.WriteEndObject();
            }
        }, json =>
        {
            foreach (var f in report.Findings)
            {
                json.WriteStartObject();
                json.WriteString("ruleId", f.Kind);
                json.WriteNumber("ruleIndex", ruleIndex[f.Kind]);
                json.WriteString("level", ReportJson.SeverityName(f.Severity));
                WriteText(json, "message", f.Message);
                SarifWriter.WriteLocations(json, artifactUri, f.Fod.Attrs);
                json.WriteStartObject("partialFingerprints");
                json.WriteString("vigilFinding/v1", Fingerprint(f));
                json.WriteEndObject();
                json.WriteStartObject("properties");
                json.WriteString("drvPath", f.Fod.Fod.DrvPath);
                json.WriteString("outputPath", f.Fod.Fod.OutputPath);
                json.WriteString("hash", f.Fod.Fod.HashSri);
                json.WriteEndObject();
                json.WriteEndObject();
            }
        });
    }

    /// <summary>Stable across runs and revisions: the kind, the attribute, the output path and the recipe.</summary>
    private static string Fingerprint(Finding f) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{f.Kind}\n{Describe.Attr(f.Fod)}\n{f.Fod.Fod.OutputPath}\n{f.Fod.Fod.RecipeHash}")));

    private static void WriteText(Utf8JsonWriter json, string name, string text) => SarifWriter.WriteText(json, name, text);

    private static string PascalCase(string kind) =>
        string.Concat(kind.Split('-').Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..]));
}
