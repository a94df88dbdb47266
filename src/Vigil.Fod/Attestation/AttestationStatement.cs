using System.Text.Json;

namespace Vigil.Fod.Attestation;

/// <summary>
/// What an attestation says: "key <see cref="Issuer"/> states that, in revision
/// <see cref="Revision"/>, these FODs were verified by fetching or rebuilding them". A bundle lists
/// every verified FOD of the revision; a per-FOD statement lists one.
/// </summary>
/// <param name="IssuedAt">When the statement was made (UTC, microseconds).</param>
/// <param name="Issuer">Name of the signing key; a verifier checks that the envelope is signed by it.</param>
public sealed record AttestationStatement(string Revision, DateTimeOffset IssuedAt, string Issuer, IReadOnlyList<AttestedFod> Fods)
{
    /// <summary>The payload's <c>_type</c>: which statement schema this is.</summary>
    public const string StatementType = "vigil.fod-verification.v1";

    /// <summary>The DSSE <c>payloadType</c> of a Vigil attestation; it is signed along with the payload.</summary>
    public const string PayloadType = "application/vnd.vigil.fod-verification.v1+json";

    /// <summary>
    /// Writes <c>revision</c>, <c>issuedAt</c>, <c>issuer</c> and <c>fods</c>, in that order, into the
    /// object the caller opened: the payload puts <c>_type</c> before them, <c>attest verify --json</c> the key.
    /// </summary>
    public void WriteFields(Utf8JsonWriter json)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteString("revision", Revision);
        json.WriteString("issuedAt", AttestedFod.FormatTime(IssuedAt));
        json.WriteString("issuer", Issuer);
        json.WriteStartArray("fods");
        foreach (var fod in Fods)
        {
            fod.WriteJson(json);
        }
        json.WriteEndArray();
    }
}
