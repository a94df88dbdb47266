using System.Globalization;
using System.Text.Json;

namespace Vigil.Fod.Attestation;

/// <summary>
/// Strict reading of one JSON object: each known field at most once and of the right kind, no
/// unknown field. What is signed must mean one thing; a duplicate or unknown field would let two
/// readers see different statements.
/// </summary>
internal sealed class JsonFields
{
    private readonly Dictionary<string, JsonElement> _fields = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);
    private readonly string _what;

    public JsonFields(JsonElement element, string what)
    {
        _what = what;
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Malformed($"{what} is not a JSON object");
        }
        foreach (var property in element.EnumerateObject())
        {
            if (!_fields.TryAdd(property.Name, property.Value))
            {
                throw Malformed($"{what} has the field '{property.Name}' twice");
            }
        }
    }

    public JsonElement Required(string name, JsonValueKind kind)
    {
        _read.Add(name);
        if (!_fields.TryGetValue(name, out var value))
        {
            throw Malformed($"{_what} has no '{name}'");
        }
        if (value.ValueKind != kind)
        {
            throw Malformed($"'{name}' of {_what} is {value.ValueKind}, not {kind}");
        }
        return value;
    }

    public string RequiredString(string name)
    {
        var text = Required(name, JsonValueKind.String).GetString()!;
        if (text.Length == 0)
        {
            throw Malformed($"'{name}' of {_what} is empty");
        }
        return text;
    }

    /// <summary>A string or null; the field itself must be present.</summary>
    public string? NullableString(string name)
    {
        _read.Add(name);
        if (_fields.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return RequiredString(name);
    }

    /// <summary>A UTC time written as <c>yyyy-MM-ddTHH:mm:ss.ffffffZ</c>, the one spelling Vigil writes.</summary>
    public DateTimeOffset RequiredTime(string name)
    {
        var text = RequiredString(name);
        if (!DateTimeOffset.TryParseExact(text, AttestationPayload.TimeFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            throw Malformed($"'{name}' of {_what} is '{text}', not a UTC time like 2026-01-31T12:00:00.000000Z");
        }
        return time;
    }

    public void RejectUnknown()
    {
        foreach (var name in _fields.Keys)
        {
            if (!_read.Contains(name))
            {
                throw Malformed($"{_what} has an unknown field '{name}'");
            }
        }
    }

    private static AttestationException Malformed(string message) => new(AttestationFailure.Malformed, message);
}
