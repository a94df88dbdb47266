using System.Globalization;
using System.Text.Json;
using Vigil.Data;

namespace Vigil.Fod.Attestation;

/// <summary>
/// One verified FOD as an attestation states it: the FOD (drv, output, recipe, expected hash and
/// mode) and how its (recipe, hash) pair was last confirmed (method, URL, time).
/// </summary>
/// <param name="Hash">The FOD's expected hash, SRI (<c>sha256-…</c>).</param>
/// <param name="HashMode"><c>flat</c> or <c>recursive</c>.</param>
/// <param name="Method"><c>native</c> (downloaded and hashed by Vigil) or <c>rebuild</c> (realised by Nix).</param>
/// <param name="Url">The URL whose body matched, when the method downloads; null for a rebuild.</param>
/// <param name="VerifiedAt">When the pair was last verified ok (UTC, microseconds).</param>
public sealed record AttestedFod(
    string DrvPath,
    string OutputPath,
    string RecipeHash,
    string Hash,
    string HashMode,
    string Method,
    string? Url,
    DateTimeOffset VerifiedAt)
{
    public static AttestedFod From(TrustedFod trusted)
    {
        ArgumentNullException.ThrowIfNull(trusted);
        return new(trusted.Fod.DrvPath, trusted.Fod.OutputPath, trusted.Fod.RecipeHash, trusted.Fod.HashSri, trusted.Fod.HashMode,
            trusted.Pair.Method, trusted.Pair.Url, trusted.Pair.LastVerifiedAt);
    }

    /// <summary>A UTC time as statements spell it, <c>yyyy-MM-ddTHH:mm:ss.ffffffZ</c>: microseconds, the resolution both databases store.</summary>
    public static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    internal const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    /// <summary>This FOD as one JSON object, fields in the statement's fixed order (the payload and <c>attest verify --json</c> share it).</summary>
    public void WriteJson(Utf8JsonWriter json)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject();
        json.WriteString("drvPath", DrvPath);
        json.WriteString("outputPath", OutputPath);
        json.WriteString("recipeHash", RecipeHash);
        json.WriteString("hash", Hash);
        json.WriteString("hashMode", HashMode);
        json.WriteString("method", Method);
        if (Url is null)
        {
            json.WriteNull("url");
        }
        else
        {
            json.WriteString("url", Url);
        }
        json.WriteString("verifiedAt", FormatTime(VerifiedAt));
        json.WriteEndObject();
    }
}
