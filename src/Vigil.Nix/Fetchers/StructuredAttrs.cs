using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Vigil.Nix.Fetchers;

/// <summary>
/// Reads the <c>__json</c> env entry of a <c>__structuredAttrs</c> derivation into the text values the
/// same attributes would have had as plain env entries (docs/nix-formats.md §3.7), so the extractor
/// reads one shape whichever way the derivation was written.
/// </summary>
internal static class StructuredAttrs
{
    /// <summary>Nesting Nix itself would refuse long before; bounds the parser's stack.</summary>
    private const int MaxDepth = 64;

    internal static Dictionary<string, string> Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
            using var document = JsonDocument.ParseValue(ref reader);
            if (reader.BytesConsumed != json.Length && json[(int)reader.BytesConsumed..].IndexOfAnyExcept(" \t\r\n"u8) >= 0)
            {
                throw new NixFormatException("structured attrs", reader.BytesConsumed, "trailing data after the __json object");
            }
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new NixFormatException("structured attrs", 0, $"__json is a JSON {root.ValueKind}, not an object");
            }
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            var text = new StringBuilder();
            foreach (var property in root.EnumerateObject())
            {
                text.Clear();
                Coerce(property.Value, text);
                values.TryAdd(property.Name, text.ToString());
            }
            return values;
        }
        catch (JsonException e)
        {
            throw new NixFormatException("structured attrs", e.BytePositionInLine ?? 0, $"__json is not valid JSON: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            // System.Text.Json reports an escaped lone surrogate only when the string is read.
            throw new NixFormatException("structured attrs", 0, $"__json holds a string that is not valid UTF-16: {e.Message}");
        }
    }

    /// <summary>
    /// Nix's env coercion (§3.7): strings as is, true → "1", false and null → "", integers in decimal,
    /// floats as C <c>%f</c>, lists flattened with a space after every element but the last, except
    /// after an empty nested list (Nix's <c>coerceToString</c> quirk: <c>[ "a" 1 true false null [ "n" ] ]</c>
    /// → <c>a 1 1   n</c>). An attribute set has no string form in Nix (coercing one is an
    /// error), so it stays the JSON Nix wrote for it: the spelling the read-only evaluator gives it
    /// too (<c>builtins.toJSON</c>, the same printer), so records read from a <c>.drv</c> and from an
    /// evaluation agree.
    /// </summary>
    private static void Coerce(JsonElement value, StringBuilder into)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                into.Append(value.GetString());
                break;
            case JsonValueKind.True:
                into.Append('1');
                break;
            case JsonValueKind.Number:
                if (value.TryGetInt64(out var integer))
                {
                    into.Append(integer.ToString(CultureInfo.InvariantCulture));
                }
                else if (value.TryGetDouble(out var real) && double.IsFinite(real))
                {
                    into.Append(real.ToString("F6", CultureInfo.InvariantCulture));
                }
                else
                {
                    into.Append(value.GetRawText());
                }
                break;
            case JsonValueKind.Array:
                var count = value.GetArrayLength();
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    Coerce(item, into);
                    if (index < count - 1 && !(item.ValueKind == JsonValueKind.Array && item.GetArrayLength() == 0))
                    {
                        into.Append(' ');
                    }
                    index++;
                }
                break;
            case JsonValueKind.Object:
                into.Append(value.GetRawText());
                break;
            default:
                break;
        }
    }
}
