using System.Buffers;
using System.Text;
using System.Text.Json;
using Vigil.Vuln.Versions;

namespace Vigil.Vuln.Feeds;

/// <summary>
/// The stored form of a record's affected products (<c>vuln_records.affected</c>): a compact JSON
/// array, written with <see cref="Utf8JsonWriter"/> and read with <see cref="Utf8JsonReader"/> (no
/// reflection: the CLI is compiled ahead of time). Each entry is
/// <c>{"o":origin,"v":vendor,"p":product,"n":packageName,"r":repo,"e":ecosystem,"a":[ranges],"u":[ranges],"all":true}</c>,
/// a range <c>[start, startInclusive, end, endInclusive]</c> with null for an open bound; absent fields are null/empty/false.
/// </summary>
public static class AffectedCodec
{
    public static string Encode(IReadOnlyList<AffectedEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (var e in entries)
            {
                w.WriteStartObject();
                w.WriteString("o", e.Origin);
                WriteOptional(w, "v", e.Vendor);
                WriteOptional(w, "p", e.Product);
                WriteOptional(w, "n", e.PackageName);
                WriteOptional(w, "r", e.Repo);
                WriteOptional(w, "e", e.Ecosystem);
                WriteRanges(w, "a", e.Affected);
                WriteRanges(w, "u", e.Unaffected);
                if (e.AllVersions)
                {
                    w.WriteBoolean("all", true);
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <exception cref="FeedFormatException">The text is not what <see cref="Encode"/> writes.</exception>
    public static IReadOnlyList<AffectedEntry> Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        // Every stored record is decoded on every scan: the UTF-8 copy is a pooled buffer, and the
        // lists kept are exact arrays (half the objects of a List, which the GC copies as the index grows).
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            var reader = new Utf8JsonReader(bytes.AsSpan(0, Encoding.UTF8.GetBytes(text, bytes)));
            Expect(ref reader, JsonTokenType.StartArray);
            var list = new List<AffectedEntry>();
            while (Read(ref reader) != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw new FeedFormatException("stored affected entry is not an object");
                }
                var origin = "";
                string? v = null, p = null, n = null, r = null, e = null;
                IReadOnlyList<VersionRange> affected = [], unaffected = [];
                var all = false;
                while (Read(ref reader) == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString();
                    Read(ref reader);
                    switch (name)
                    {
                        case "o": origin = reader.GetString() ?? ""; break;
                        case "v": v = reader.GetString(); break;
                        case "p": p = reader.GetString(); break;
                        case "n": n = reader.GetString(); break;
                        case "r": r = reader.GetString(); break;
                        case "e": e = reader.GetString(); break;
                        case "a": affected = ReadRanges(ref reader); break;
                        case "u": unaffected = ReadRanges(ref reader); break;
                        case "all": all = reader.GetBoolean(); break;
                        default: reader.Skip(); break;
                    }
                }
                list.Add(new AffectedEntry(origin, v, p, n, r, e, affected, unaffected, all));
            }
            return list.Count == 0 ? [] : list.ToArray();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new FeedFormatException($"stored affected entries are malformed: {ex.Message}", ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    private static void WriteRanges(Utf8JsonWriter w, string name, IReadOnlyList<VersionRange> ranges)
    {
        if (ranges.Count == 0)
        {
            return;
        }
        w.WriteStartArray(name);
        foreach (var range in ranges)
        {
            w.WriteStartArray();
            WriteNullable(w, range.Start);
            w.WriteBooleanValue(range.StartInclusive);
            WriteNullable(w, range.End);
            w.WriteBooleanValue(range.EndInclusive);
            w.WriteEndArray();
        }
        w.WriteEndArray();
    }

    private static void WriteNullable(Utf8JsonWriter w, string? value)
    {
        if (value is null)
        {
            w.WriteNullValue();
        }
        else
        {
            w.WriteStringValue(value);
        }
    }

    private static VersionRange[] ReadRanges(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new FeedFormatException("stored ranges are not an array");
        }
        var list = new List<VersionRange>();
        while (Read(ref reader) == JsonTokenType.StartArray)
        {
            Read(ref reader);
            var start = reader.GetString();
            Read(ref reader);
            var startInclusive = reader.GetBoolean();
            Read(ref reader);
            var end = reader.GetString();
            Read(ref reader);
            var endInclusive = reader.GetBoolean();
            Expect(ref reader, JsonTokenType.EndArray);
            list.Add(new VersionRange(start, startInclusive, end, endInclusive));
        }
        return list.Count == 0 ? [] : list.ToArray();
    }

    private static JsonTokenType Read(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new FeedFormatException("stored affected entries end early");

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (Read(ref reader) != type)
        {
            throw new FeedFormatException($"stored affected entries: expected {type}, found {reader.TokenType}");
        }
    }
}
