using System.Globalization;
using Vigil.Vuln.Scanning;
using Vigil.Vuln.Triage;

namespace Vigil.Vuln.Reporting;

/// <summary>Findings for people: one line each (status, vulnerability, package, confidence, attributes), the evidence indented below.</summary>
public static class VulnText
{
    public static void WriteScan(TextWriter output, VulnScanResult scan)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(scan);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"revision {scan.Revision.Name}: {scan.Packages} packages against {scan.Records} records: {scan.Count(TriageStatus.Affected)} affected, {scan.Count(TriageStatus.Patched)} patched, {scan.Count(TriageStatus.Ignored)} ignored, {scan.Count(TriageStatus.NotAffected)} not affected ({scan.Rejected} same-name candidates rejected as other projects)"));
        WriteFindings(output, scan.Findings);
        foreach (var rule in scan.ExpiredRules)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"note: triage rule {rule.Cve} {rule.Pname} ({rule.Origin}) expired on {rule.Until:yyyy-MM-dd} and no longer applies"));
        }
    }

    public static void WriteDiff(TextWriter output, VulnDiff diff)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(diff);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{diff.Base.Revision.Name} -> {diff.Head.Revision.Name}: {diff.New.Count} new, {diff.Fixed.Count} fixed"));
        if (diff.New.Count > 0)
        {
            output.WriteLine("new:");
            WriteFindings(output, diff.New);
        }
        if (diff.Fixed.Count > 0)
        {
            output.WriteLine("fixed:");
            WriteFindings(output, diff.Fixed);
        }
    }

    private static void WriteFindings(TextWriter output, IEnumerable<VulnFinding> findings)
    {
        foreach (var f in findings)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{f.Status,-12} {f.Cve,-18} {f.Pname} {f.Version}  confidence {f.Confidence:0.00}  {string.Join(", ", f.Attrs.Take(4))}{(f.Attrs.Count > 4 ? ", …" : "")}"));
            foreach (var e in f.Evidence)
            {
                output.WriteLine("    " + e);
            }
        }
    }
}
