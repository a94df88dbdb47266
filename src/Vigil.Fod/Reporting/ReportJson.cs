using System.Text.Json;
using Vigil.Data;
using Vigil.Fod.Detection;
using Vigil.Nix.Fetchers;
using Vigil.Nix.Hashing;

namespace Vigil.Fod.Reporting;

/// <summary>
/// The JSON of a <see cref="FodReport"/> (the contract of <c>vigil diff --format json</c> and
/// <c>vigil check-pr</c>): <c>{"base","head","added","removed","changed","findings"}</c>; an FOD
/// is the object <c>vigil fods --json</c> prints plus its <c>recipe</c> (what it fetches) as an object.
/// </summary>
public static class ReportJson
{
    public static void Write(Utf8JsonWriter json, FodReport report)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(report);
        json.WriteStartObject();
        json.WriteString("base", report.Base.Name);
        json.WriteString("head", report.Head.Name);
        json.WriteNumber("unchanged", report.Diff.Unchanged);
        WriteList(json, "added", report.Diff.Added);
        WriteList(json, "removed", report.Diff.Removed);
        json.WriteStartArray("changed");
        foreach (var c in report.Diff.Changed)
        {
            json.WriteStartObject();
            WriteStrings(json, "attrs", c.Head.Attrs);
            json.WriteBoolean("hashChanged", c.HashChanged);
            json.WriteBoolean("recipeChanged", c.RecipeChanged);
            json.WritePropertyName("base");
            WriteFod(json, c.Base);
            json.WritePropertyName("head");
            WriteFod(json, c.Head);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("findings");
        foreach (var f in report.Findings)
        {
            json.WriteStartObject();
            json.WriteString("kind", f.Kind);
            json.WriteString("severity", SeverityName(f.Severity));
            WriteStrings(json, "attrs", f.Fod.Attrs);
            json.WriteString("drvPath", f.Fod.Fod.DrvPath);
            json.WriteString("outputPath", f.Fod.Fod.OutputPath);
            json.WriteString("message", f.Message);
            json.WritePropertyName("head");
            WriteFod(json, f.Fod);
            json.WritePropertyName("base");
            if (f.Base is { } b)
            {
                WriteFod(json, b);
            }
            else
            {
                json.WriteNullValue();
            }
            json.WriteStartArray("related");
            foreach (var r in f.Related)
            {
                WriteFod(json, r, null, 0);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The lowercase name used in JSON, SARIF levels and on the command line.</summary>
    public static string SeverityName(Severity severity) => severity switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        _ => "note",
    };

    /// <summary>One FOD as <c>vigil fods --json</c> prints it.</summary>
    public static void WriteFod(Utf8JsonWriter json, StoredFod fod)
    {
        ArgumentNullException.ThrowIfNull(fod);
        WriteFod(json, fod.Fod, fod.Attrs, fod.AttrCount);
    }

    private static void WriteFod(Utf8JsonWriter json, FodRecord fod, IReadOnlyList<string>? attrs, int attrCount)
    {
        json.WriteStartObject();
        json.WriteString("drvPath", fod.DrvPath);
        json.WriteString("outputPath", fod.OutputPath);
        json.WriteString("name", fod.Name);
        json.WriteString("hashAlgo", fod.Algorithm.Name());
        json.WriteString("hashMode", fod.HashMode);
        json.WriteString("hash", fod.HashSri);
        json.WriteString("originalHash", fod.OriginalHash);
        WriteStrings(json, "urls", fod.Urls);
        json.WriteString("rev", fod.Rev);
        json.WriteString("fetcher", FetcherKinds.Name(fod.Fetcher));
        json.WriteString("recipeHash", fod.RecipeHash);
        // The recipe is canonical JSON already: embedded as an object, so reviewers and tools read its fields.
        json.WritePropertyName("recipe");
        json.WriteRawValue(fod.Recipe, skipInputValidation: false);
        if (attrs is not null)
        {
            WriteStrings(json, "attrs", attrs);
            json.WriteNumber("attrCount", attrCount);
        }
        json.WriteEndObject();
    }

    private static void WriteList(Utf8JsonWriter json, string name, IReadOnlyList<StoredFod> fods)
    {
        json.WriteStartArray(name);
        foreach (var f in fods)
        {
            WriteFod(json, f);
        }
        json.WriteEndArray();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var v in values)
        {
            json.WriteStringValue(v);
        }
        json.WriteEndArray();
    }
}
