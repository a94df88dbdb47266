using System.Text.Json;

namespace Vigil.Vuln.Feeds;

/// <summary>
/// Typed reads of a <see cref="JsonElement"/> that turn a wrong shape into a <see cref="FeedFormatException"/>
/// naming the field, so that the parsers stay AOT-safe (no reflection) and throw only that.
/// </summary>
internal static class FeedJson
{
    /// <summary>The string property <paramref name="name"/>, or null when absent or JSON null; any other kind is malformed.</summary>
    public static string? String(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.String
            ? Text(value, name)
            : throw new FeedFormatException($"'{name}' is a {Kind(value)}, not a string");
    }

    public static string RequireString(JsonElement obj, string name) =>
        String(obj, name) is { Length: > 0 } s ? s : throw new FeedFormatException($"'{name}' is missing or empty");

    /// <summary>The object property <paramref name="name"/>, or null when absent or JSON null.</summary>
    public static JsonElement? Object(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.Object ? value : throw new FeedFormatException($"'{name}' is a {Kind(value)}, not an object");
    }

    public static JsonElement RequireObject(JsonElement obj, string name) =>
        Object(obj, name) ?? throw new FeedFormatException($"'{name}' is missing");

    /// <summary>The elements of the array property <paramref name="name"/>; none when absent or JSON null.</summary>
    public static JsonElement.ArrayEnumerator Array(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return default;
        }
        return value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : throw new FeedFormatException($"'{name}' is a {Kind(value)}, not an array");
    }

    /// <summary>The strings of the array property <paramref name="name"/>.</summary>
    public static List<string> Strings(JsonElement obj, string name)
    {
        var list = new List<string>();
        foreach (var item in Array(obj, name))
        {
            list.Add(item.ValueKind == JsonValueKind.String ? Text(item, name) : throw new FeedFormatException($"'{name}' holds a {Kind(item)}, not a string"));
        }
        return list;
    }

    public static bool Bool(JsonElement obj, string name, bool fallback)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var value))
        {
            return fallback;
        }
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Null => fallback,
            _ => throw new FeedFormatException($"'{name}' is a {Kind(value)}, not a boolean"),
        };
    }

    public static void EnsureObject(JsonElement element, string what)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new FeedFormatException($"{what} is a {Kind(element)}, not an object");
        }
    }

    /// <summary>A string value; JSON may carry bytes that are not UTF-8, which are malformed here.</summary>
    private static string Text(JsonElement value, string name)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw new FeedFormatException($"'{name}' is not valid UTF-8", e);
        }
    }

    private static string Kind(JsonElement e) => e.ValueKind.ToString().ToLowerInvariant();
}
