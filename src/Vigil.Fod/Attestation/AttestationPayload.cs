using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace Vigil.Fod.Attestation;

/// <summary>
/// The statement as JSON, written with <see cref="Utf8JsonWriter"/> (no reflection, AOT-safe) in
/// one fixed field order, compact, so the same statement always gives the same bytes:
/// <c>{"_type","revision","issuedAt","issuer","fods":[{"drvPath","outputPath","recipeHash","hash",
/// "hashMode","method","url","verifiedAt"}]}</c>. Reading is strict (every field, each once, no
/// others) but not byte-canonical: the signature already pins the bytes, and a reader should not
/// depend on one JSON writer's escaping choices.
/// </summary>
internal static class AttestationPayload
{
    public const string TimeFormat = AttestedFod.TimeFormat;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Paths, URLs and SRI hashes stay readable ('+', '&' unescaped); still deterministic.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    public static byte[] Write(AttestationStatement statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        var buffer = new ArrayBufferWriter<byte>(256 + statement.Fods.Count * 512);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("_type", AttestationStatement.StatementType);
            statement.WriteFields(json);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a payload; throws only <see cref="AttestationException"/> (<see cref="AttestationFailure.Malformed"/>).</summary>
    public static AttestationStatement Read(ReadOnlyMemory<byte> payload)
    {
        if (!Utf8.IsValid(payload.Span))
        {
            throw new AttestationException(AttestationFailure.Malformed, "the statement is not valid UTF-8");
        }
        try
        {
            using var document = JsonDocument.Parse(payload, new JsonDocumentOptions { MaxDepth = 8 });
            var top = new JsonFields(document.RootElement, "the statement");
            var type = top.RequiredString("_type");
            if (type != AttestationStatement.StatementType)
            {
                throw new AttestationException(AttestationFailure.Malformed,
                    $"the statement is of type '{type}', not '{AttestationStatement.StatementType}' (a newer Vigil may read it)");
            }
            var revision = top.RequiredString("revision");
            var issuedAt = top.RequiredTime("issuedAt");
            var issuer = top.RequiredString("issuer");
            var list = top.Required("fods", JsonValueKind.Array);
            top.RejectUnknown();
            var fods = new List<AttestedFod>(list.GetArrayLength());
            foreach (var item in list.EnumerateArray())
            {
                var f = new JsonFields(item, string.Create(CultureInfo.InvariantCulture, $"FOD {fods.Count}"));
                fods.Add(new AttestedFod(
                    f.RequiredString("drvPath"), f.RequiredString("outputPath"), f.RequiredString("recipeHash"), f.RequiredString("hash"),
                    f.RequiredString("hashMode"), f.RequiredString("method"), f.NullableString("url"), f.RequiredTime("verifiedAt")));
                f.RejectUnknown();
            }
            return new AttestationStatement(revision, issuedAt, issuer, fods);
        }
        catch (JsonException e)
        {
            throw new AttestationException(AttestationFailure.Malformed, $"the statement is not valid JSON ({e.Message})");
        }
        catch (InvalidOperationException e)
        {
            // JsonElement.GetString on an escaped lone surrogate, the one way valid JSON is not a valid string.
            throw new AttestationException(AttestationFailure.Malformed, $"the statement holds an invalid string ({e.Message})");
        }
    }
}
