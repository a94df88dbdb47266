using Vigil.Data;
using Vigil.Nix.Fetchers;

namespace Vigil.Fod.Verification;

/// <summary>The verification of one FOD at one time.</summary>
/// <param name="Expected">The FOD's hash, SRI.</param>
/// <param name="Actual">The hash of what was fetched or built, SRI; null when nothing was.</param>
/// <param name="Url">The URL that decided the outcome (native), when one did.</param>
/// <param name="Detail">Why: HTTP status, error, log excerpt or skip reason.</param>
public sealed record VerificationResult(
    FodRecord Fod,
    VerificationStatus Status,
    string Expected,
    string? Actual,
    VerificationMethod Method,
    string? Url,
    string? Detail,
    DateTimeOffset VerifiedAt)
{
    public string DrvPath => Fod.DrvPath;

    public string OutputPath => Fod.OutputPath;

    /// <summary>The row the database keeps.</summary>
    public VerificationRecord ToRecord() => new(
        Fod.DrvPath, Fod.OutputPath, Fod.RecipeHash, Fod.HashMode, Status.Name(), Expected, Actual, Method.Name(), Url, Detail, VerifiedAt);
}
