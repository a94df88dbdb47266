using System.Text;
using System.Text.Json;

namespace Vigil.E2E.Tests.Oracle;

/// <summary>
/// Says where two JSON documents first differ (key order included, since Nix's output order is
/// part of the contract), so a failed byte comparison names the key rather than an offset.
/// </summary>
internal static class JsonDiff
{
    /// <summary>Null when equal; else the path (first element: the top-level key) and both values.</summary>
    public static (IReadOnlyList<string> Path, string Expected, string Actual)? First(byte[] expected, byte[] actual)
    {
        using var a = JsonDocument.Parse(expected);
        using var b = JsonDocument.Parse(actual);
        var path = new List<string>();
        return Compare(a.RootElement, b.RootElement, path);
    }

    private static (IReadOnlyList<string>, string, string)? Compare(JsonElement a, JsonElement b, List<string> path)
    {
        if (a.ValueKind != b.ValueKind)
        {
            return (path.ToList(), a.GetRawText(), b.GetRawText());
        }
        switch (a.ValueKind)
        {
            case JsonValueKind.Object:
                var pa = a.EnumerateObject().ToList();
                var pb = b.EnumerateObject().ToList();
                for (var i = 0; i < Math.Max(pa.Count, pb.Count); i++)
                {
                    if (i >= pa.Count || i >= pb.Count || pa[i].Name != pb[i].Name)
                    {
                        return (path.ToList(), KeysFrom(pa, i), KeysFrom(pb, i));
                    }
                    path.Add(pa[i].Name);
                    if (Compare(pa[i].Value, pb[i].Value, path) is { } found)
                    {
                        return found;
                    }
                    path.RemoveAt(path.Count - 1);
                }
                return null;
            case JsonValueKind.Array:
                var ea = a.EnumerateArray().ToList();
                var eb = b.EnumerateArray().ToList();
                for (var i = 0; i < Math.Max(ea.Count, eb.Count); i++)
                {
                    if (i >= ea.Count || i >= eb.Count)
                    {
                        return (path.ToList(), a.GetRawText(), b.GetRawText());
                    }
                    path.Add($"[{i}]");
                    if (Compare(ea[i], eb[i], path) is { } found)
                    {
                        return found;
                    }
                    path.RemoveAt(path.Count - 1);
                }
                return null;
            default:
                return a.GetRawText() == b.GetRawText() ? null : (path.ToList(), a.GetRawText(), b.GetRawText());
        }
    }

    private static string KeysFrom(List<JsonProperty> props, int from) =>
        "keys from here: " + string.Join(", ", props.Skip(from).Take(5).Select(p => JsonSerializer.Serialize(p.Name)));

    /// <summary>The bytes around the first difference, for when the JSON agrees but the bytes do not.</summary>
    public static string ByteContext(byte[] expected, byte[] actual)
    {
        var i = 0;
        while (i < expected.Length && i < actual.Length && expected[i] == actual[i])
        {
            i++;
        }
        static string Around(byte[] b, int at) =>
            Encoding.UTF8.GetString(b, Math.Max(0, at - 60), Math.Min(b.Length, at + 60) - Math.Max(0, at - 60));
        return $"first differing byte at offset {i} (lengths {expected.Length} vs {actual.Length}):\n  nix:   «{Around(expected, i)}»\n  vigil: «{Around(actual, i)}»";
    }
}
