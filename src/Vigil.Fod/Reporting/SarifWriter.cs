using System.Text.Json;

namespace Vigil.Fod.Reporting;

/// <summary>
/// What every SARIF 2.1.0 log Vigil writes shares (the FOD report of Vigil.Fod, the vulnerability
/// report of Vigil.Vuln): the envelope of one run by the <c>vigil</c> tool, a result's location (the
/// scanned expression, since derivations have no source position, and the attributes as logical
/// locations) and text objects. It lives with the FOD reports; Vigil.Vuln, which reads what the FOD scanner stores, uses it from here.
/// </summary>
public static class SarifWriter
{
    private const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";

    /// <summary>The whole log: <paramref name="writeRules"/> writes the rule objects, <paramref name="writeResults"/> the result objects.</summary>
    public static void WriteLog(Utf8JsonWriter json, string toolVersion, string automationId, Action<Utf8JsonWriter> writeRules, Action<Utf8JsonWriter> writeResults)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(writeRules);
        ArgumentNullException.ThrowIfNull(writeResults);
        json.WriteStartObject();
        json.WriteString("$schema", SchemaUri);
        json.WriteString("version", "2.1.0");
        json.WriteStartArray("runs");
        json.WriteStartObject();
        json.WriteStartObject("tool");
        json.WriteStartObject("driver");
        json.WriteString("name", "vigil");
        json.WriteString("semanticVersion", toolVersion);
        json.WriteStartArray("rules");
        writeRules(json);
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartObject("automationDetails");
        json.WriteString("id", automationId);
        json.WriteEndObject();
        json.WriteStartArray("results");
        writeResults(json);
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>A result's <c>locations</c>: line 1 of <paramref name="artifactUri"/>, and up to three attributes as logical locations.</summary>
    public static void WriteLocations(Utf8JsonWriter json, string artifactUri, IEnumerable<string> attrs)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(attrs);
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
        foreach (var attr in attrs.Take(3))
        {
            json.WriteStartObject();
            json.WriteString("fullyQualifiedName", attr);
            json.WriteString("kind", "member");
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();
    }

    /// <summary>A SARIF message object: <c>"name": {"text": text}</c>.</summary>
    public static void WriteText(Utf8JsonWriter json, string name, string text)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject(name);
        json.WriteString("text", text);
        json.WriteEndObject();
    }
}
