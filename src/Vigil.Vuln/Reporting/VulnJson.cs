using System.Text.Json;
using Vigil.Vuln.Scanning;

namespace Vigil.Vuln.Reporting;

/// <summary>Findings as JSON with <see cref="Utf8JsonWriter"/> (no reflection; the CLI is compiled ahead of time).</summary>
public static class VulnJson
{
    private const int FlushThreshold = 64 * 1024;

    /// <summary>The contract of <c>vigil vuln scan --format json</c>: a list of findings.</summary>
    public static void WriteFindings(Utf8JsonWriter json, IEnumerable<VulnFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(findings);
        json.WriteStartArray();
        foreach (var f in findings)
        {
            WriteFinding(json, f);
            // A writer on a stream buffers everything until flushed: tens of MB for a large scan.
            if (json.BytesPending > FlushThreshold)
            {
                json.Flush();
            }
        }
        json.WriteEndArray();
    }

    /// <summary><c>vigil vuln diff --format json</c>: the two revisions and the new and fixed findings.</summary>
    public static void WriteDiff(Utf8JsonWriter json, VulnDiff diff)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(diff);
        json.WriteStartObject();
        json.WriteString("base", diff.Base.Revision.Name);
        json.WriteString("head", diff.Head.Revision.Name);
        json.WritePropertyName("new");
        WriteFindings(json, diff.New);
        json.WritePropertyName("fixed");
        WriteFindings(json, diff.Fixed);
        json.WriteEndObject();
    }

    private static void WriteFinding(Utf8JsonWriter json, VulnFinding f)
    {
        json.WriteStartObject();
        json.WriteString("cve", f.Cve);
        WriteStrings(json, "attrs", f.Attrs);
        json.WriteString("pname", f.Pname);
        json.WriteString("version", f.Version);
        json.WriteString("status", f.Status);
        json.WriteNumber("confidence", f.Confidence);
        WriteStrings(json, "evidence", f.Evidence);
        if (f.Summary is not null)
        {
            json.WriteString("summary", f.Summary);
        }
        WriteStrings(json, "sources", f.Sources);
        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IReadOnlyList<string> items)
    {
        json.WriteStartArray(name);
        foreach (var item in items)
        {
            json.WriteStringValue(item);
        }
        json.WriteEndArray();
    }
}
