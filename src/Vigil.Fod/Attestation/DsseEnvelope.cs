using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Vigil.Fod.Attestation;

/// <summary>
/// A DSSE envelope (<c>{"payloadType","payload","signatures":[{"keyid","sig"}]}</c>, payload and
/// sig in standard padded base64), whose signatures are over the DSSE pre-authentication encoding
/// of (payloadType, payload), so the type cannot be swapped under a valid signature.
/// <para>
/// Vigil writes one canonical form: compact JSON, fields in that order, no escapes (type and key
/// names are printable ASCII without quote or backslash), then one newline. It accepts only that
/// form (the final newline optional): JSON would otherwise let a changed byte through where it only
/// changes whitespace or a base64 digit's unused bits, and "any changed byte fails" is the
/// guarantee users rely on. A reformatted envelope is therefore rejected, with a message saying so.
/// </para>
/// </summary>
public sealed class DsseEnvelope
{
    /// <summary>Larger than a bundle of every FOD of nixpkgs (~100k FODs, about 60 MB).</summary>
    public const int MaxBytes = 256 * 1024 * 1024;

    public DsseEnvelope(string payloadType, ReadOnlyMemory<byte> payload, IReadOnlyList<DsseSignature> signatures)
    {
        ArgumentNullException.ThrowIfNull(payloadType);
        ArgumentNullException.ThrowIfNull(signatures);
        if (CheckText(payloadType) is { } badType)
        {
            throw new ArgumentException($"payload type '{payloadType}' {badType}", nameof(payloadType));
        }
        foreach (var signature in signatures)
        {
            ArgumentNullException.ThrowIfNull(signature, nameof(signatures));
            if (CheckText(signature.KeyId) is { } badKey)
            {
                throw new ArgumentException($"key name '{signature.KeyId}' {badKey}; attestations need a key named in printable ASCII", nameof(signatures));
            }
        }
        PayloadType = payloadType;
        Payload = payload;
        Signatures = signatures;
    }

    public string PayloadType { get; }

    public ReadOnlyMemory<byte> Payload { get; }

    public IReadOnlyList<DsseSignature> Signatures { get; }

    /// <summary>
    /// DSSE v1 pre-authentication encoding: <c>"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body</c>,
    /// lengths in ASCII decimal, type in UTF-8. This, not the payload alone, is what is signed.
    /// </summary>
    public static byte[] Pae(string payloadType, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(payloadType);
        var type = Encoding.UTF8.GetBytes(payloadType);
        var head = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"DSSEv1 {type.Length} "));
        var middle = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $" {payload.Length} "));
        var pae = new byte[head.Length + type.Length + middle.Length + payload.Length];
        head.CopyTo(pae, 0);
        type.CopyTo(pae, head.Length);
        middle.CopyTo(pae, head.Length + type.Length);
        payload.CopyTo(pae.AsSpan(head.Length + type.Length + middle.Length));
        return pae;
    }

    /// <summary>The bytes that authenticate this envelope's payload and type.</summary>
    public byte[] Pae() => Pae(PayloadType, Payload.Span);

    /// <summary>The canonical file bytes, newline-terminated.</summary>
    public byte[] ToBytes()
    {
        var sb = new StringBuilder(Payload.Length * 4 / 3 + 256);
        sb.Append("{\"payloadType\":\"").Append(PayloadType)
            .Append("\",\"payload\":\"").Append(Convert.ToBase64String(Payload.Span))
            .Append("\",\"signatures\":[");
        for (var i = 0; i < Signatures.Count; i++)
        {
            sb.Append(i == 0 ? "" : ",")
                .Append("{\"keyid\":\"").Append(Signatures[i].KeyId)
                .Append("\",\"sig\":\"").Append(Convert.ToBase64String(Signatures[i].Sig.Span))
                .Append("\"}");
        }
        sb.Append("]}\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    /// <summary>
    /// Reads an envelope in canonical form; throws <see cref="AttestationException"/>
    /// (<see cref="AttestationFailure.Malformed"/>) on anything else, whatever the bytes.
    /// </summary>
    public static DsseEnvelope Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxBytes)
        {
            throw Malformed($"the envelope is {bytes.Length} bytes, more than the {MaxBytes}-byte limit");
        }
        if (bytes.IsEmpty)
        {
            throw Malformed("the file is empty");
        }
        // The canonical form is ASCII; checking first keeps invalid UTF-8 away from the JSON reader.
        // JSON whitespace passes here so that a reformatted envelope is reported as such below.
        var end = bytes[^1] == (byte)'\n' ? bytes.Length - 1 : bytes.Length;
        for (var i = 0; i < end; i++)
        {
            if (bytes[i] is (< 0x20 or > 0x7E) and not ((byte)'\n' or (byte)'\r' or (byte)'\t'))
            {
                throw Malformed(string.Create(CultureInfo.InvariantCulture,
                    $"byte {i} is 0x{bytes[i]:X2}, not printable ASCII: the envelope was changed or is not a Vigil attestation"));
            }
        }
        DsseEnvelope envelope;
        try
        {
            using var document = JsonDocument.Parse(bytes.ToArray().AsMemory(0, end), new JsonDocumentOptions { MaxDepth = 8 });
            envelope = FromJson(document.RootElement);
        }
        catch (JsonException e)
        {
            throw Malformed($"not valid JSON ({e.Message}): the envelope was changed or is not a Vigil attestation");
        }
        catch (ArgumentException e)
        {
            throw Malformed(e.Message);
        }
        var canonical = envelope.ToBytes();
        var same = end == canonical.Length - 1 && bytes[..end].SequenceEqual(canonical.AsSpan(0, end));
        if (!same)
        {
            var at = bytes[..end].CommonPrefixLength(canonical.AsSpan(0, canonical.Length - 1));
            throw Malformed(string.Create(CultureInfo.InvariantCulture,
                $"the envelope is not in canonical form (first difference at byte {at}): it was changed or reformatted after signing"));
        }
        return envelope;
    }

    private static DsseEnvelope FromJson(JsonElement root)
    {
        var fields = new JsonFields(root, "the envelope");
        var payloadType = fields.RequiredString("payloadType");
        var payload = Base64(fields.RequiredString("payload"), "payload");
        var list = fields.Required("signatures", JsonValueKind.Array);
        fields.RejectUnknown();
        var signatures = new List<DsseSignature>();
        foreach (var item in list.EnumerateArray())
        {
            var signature = new JsonFields(item, "a signature");
            var keyId = signature.RequiredString("keyid");
            var sig = Base64(signature.RequiredString("sig"), "sig");
            signature.RejectUnknown();
            signatures.Add(new DsseSignature(keyId, sig));
        }
        if (signatures.Count == 0)
        {
            throw Malformed("the envelope has no signatures");
        }
        return new DsseEnvelope(payloadType, payload, signatures);
    }

    private static byte[] Base64(string text, string field)
    {
        var bytes = new byte[text.Length / 4 * 3];
        if (text.Length % 4 != 0 || !Convert.TryFromBase64String(text, bytes, out var written))
        {
            throw Malformed($"'{field}' is not valid base64");
        }
        return bytes[..written];
    }

    /// <summary>Null when <paramref name="text"/> can be written into the envelope unescaped, else why not.</summary>
    internal static string? CheckText(string text)
    {
        if (text.Length == 0)
        {
            return "is empty";
        }
        foreach (var c in text)
        {
            if (c is < '!' or > '~' or '"' or '\\')
            {
                return string.Create(CultureInfo.InvariantCulture, $"holds U+{(int)c:X4}, which is not printable ASCII (or is a quote or backslash)");
            }
        }
        return null;
    }

    private static AttestationException Malformed(string message) => new(AttestationFailure.Malformed, message);
}
