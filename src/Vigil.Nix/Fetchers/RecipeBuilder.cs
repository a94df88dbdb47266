using System.Globalization;
using System.Text;

namespace Vigil.Nix.Fetchers;

/// <summary>
/// Writes a recipe as canonical JSON: one object, keys in ordinal order at every level, no
/// whitespace, strings escaped as RFC 8785 (JCS) does — only <c>"</c>, <c>\</c> and control
/// characters, with the short escapes where JSON has them and <c>\u00xx</c> otherwise (and unpaired
/// surrogates as <c>\udxxx</c>) — and every other character written as itself. The text therefore depends only on the values, never on
/// a serializer's settings or version, which is what lets its hash identify a recipe across
/// releases of Vigil and machines. Empty lists and objects and false flags are omitted, so adding
/// a new optional key later does not change the recipes of FODs that do not use it.
/// </summary>
internal sealed class RecipeBuilder
{
    private const int MaxKeptCapacity = 64 * 1024;

    [ThreadStatic]
    private static StringBuilder? t_text;

    private readonly SortedList<string, object> _fields = new(StringComparer.Ordinal);

    internal void Add(string key, string? value)
    {
        if (value is not null)
        {
            _fields[key] = value;
        }
    }

    internal void AddFlag(string key, bool value)
    {
        if (value)
        {
            _fields[key] = true;
        }
    }

    /// <summary>A list is written even when empty when <paramref name="always"/>: "fetches nothing named" is a fact.</summary>
    internal void Add(string key, IReadOnlyList<string> values, bool always = false)
    {
        if (values.Count > 0 || always)
        {
            _fields[key] = values;
        }
    }

    internal void Add(string key, SortedList<string, string>? values)
    {
        if (values is { Count: > 0 })
        {
            _fields[key] = values;
        }
    }

    internal string Build()
    {
        // One builder per thread, kept: a scan builds a recipe for each of tens of thousands of FODs.
        var text = t_text ??= new StringBuilder(1024);
        text.Clear();
        WriteObject(text, _fields);
        var recipe = text.ToString();
        if (text.Capacity > MaxKeptCapacity)
        {
            t_text = null;
        }
        return recipe;
    }

    /// <summary>Lowercase hex SHA-256 of the UTF-8 recipe text.</summary>
    internal static string Hash(string recipe) => Sha256Hex.OfUtf8(recipe);

    private static void WriteObject<T>(StringBuilder text, SortedList<string, T> fields)
        where T : notnull
    {
        text.Append('{');
        var first = true;
        foreach (var (key, value) in fields)
        {
            if (!first)
            {
                text.Append(',');
            }
            first = false;
            WriteString(text, key);
            text.Append(':');
            WriteValue(text, value);
        }
        text.Append('}');
    }

    private static void WriteValue(StringBuilder text, object value)
    {
        switch (value)
        {
            case string s:
                WriteString(text, s);
                break;
            case bool b:
                text.Append(b ? "true" : "false");
                break;
            case IReadOnlyList<string> list:
                text.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0)
                    {
                        text.Append(',');
                    }
                    WriteString(text, list[i]);
                }
                text.Append(']');
                break;
            case SortedList<string, string> nested:
                WriteObject(text, nested);
                break;
            default:
                throw new InvalidOperationException($"recipe value of type {value.GetType()} has no canonical form");
        }
    }

    internal static void WriteString(StringBuilder text, string value)
    {
        text.Append('"');
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c >= 0x20 && c != '"' && c != '\\' && !char.IsSurrogate(c))
            {
                continue;
            }
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
                continue;
            }
            text.Append(value, start, i - start);
            start = i + 1;
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                // Control characters, and unpaired surrogates (from an escaped __json string), which
                // UTF-8 could not carry: escaped, two different strings keep two different hashes.
                default: text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
            }
        }
        text.Append(value, start, value.Length - start);
        text.Append('"');
    }
}
