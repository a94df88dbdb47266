using System.Buffers;
using System.Text.Json;

namespace Vigil.Store.Evaluation;

/// <summary>Receives one element of a top-level array property: its section (the property name) and its JSON text.</summary>
internal delegate void JsonRecordHandler(string section, ReadOnlySpan<byte> record);

/// <summary>
/// Reads a JSON document shaped <c>{"a":[…],"b":[…]}</c> from a stream, handing over each array
/// element as soon as its bytes have arrived, so tens of megabytes of evaluator output are never
/// held at once: only one buffer that grows to the largest single element.
/// </summary>
internal static class JsonRecordReader
{
    private const int InitialBuffer = 1 << 16;
    private const int MaxRecord = 1 << 28;
    private static readonly SearchValues<byte> JsonWhitespace = SearchValues.Create(" \n\r\t"u8);

    /// <summary>
    /// Reads <paramref name="stream"/> to its end. <paramref name="afterChunk"/> runs after each
    /// chunk's records were handled (where the caller can await, which the span handler cannot).
    /// </summary>
    public static async Task ReadAsync(Stream stream, JsonRecordHandler handler, Func<ValueTask> afterChunk, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
        var state = new JsonReaderState();
        var section = "";
        var filled = 0;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                {
                    if (buffer.Length >= MaxRecord)
                    {
                        throw new JsonException($"a single record is larger than {MaxRecord} bytes");
                    }
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, filled).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                filled += read;
                var final = read == 0;
                var consumed = Drain(buffer.AsSpan(0, filled), final, ref state, ref section, handler);
                await afterChunk().ConfigureAwait(false);
                if (final)
                {
                    if (consumed < filled && !IsWhitespace(buffer.AsSpan(consumed, filled - consumed)))
                    {
                        throw new JsonException("unexpected data after the end of the JSON document");
                    }
                    return;
                }
                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int Drain(ReadOnlySpan<byte> data, bool final, ref JsonReaderState state, ref string section, JsonRecordHandler handler)
    {
        var reader = new Utf8JsonReader(data, final, state);
        while (true)
        {
            var checkpoint = reader;
            if (!reader.Read())
            {
                break;
            }
            switch (reader.CurrentDepth, reader.TokenType)
            {
                case (0, JsonTokenType.StartObject or JsonTokenType.EndObject):
                    break;
                case (0, _):
                    throw new JsonException($"expected a JSON object, found {reader.TokenType}");
                case (1, JsonTokenType.StartArray or JsonTokenType.EndArray):
                    break;
                case (1, JsonTokenType.PropertyName):
                    section = reader.GetString() ?? "";
                    break;
                case (2, JsonTokenType.PropertyName):
                case (1, _):
                    throw new JsonException($"expected arrays of records, found {reader.TokenType} at depth {reader.CurrentDepth}");
                case (2, _):
                    var begin = (int)reader.TokenStartIndex;
                    if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !reader.TrySkip())
                    {
                        reader = checkpoint;
                        goto done;
                    }
                    handler(section, data[begin..(int)reader.BytesConsumed]);
                    break;
            }
        }
    done:
        state = reader.CurrentState;
        return (int)reader.BytesConsumed;
    }

    private static bool IsWhitespace(ReadOnlySpan<byte> bytes) =>
        bytes.IndexOfAnyExcept(JsonWhitespace) < 0;
}
