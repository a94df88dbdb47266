namespace Vigil.Data;

/// <summary>
/// One verification of an FOD as stored: the FOD's identity (drv, output, recipe, mode), the
/// outcome and how it was reached. <see cref="Status"/> and <see cref="Method"/> are the stable
/// lowercase names Vigil.Fod prints (<c>ok</c>, <c>hash-mismatch</c>…; <c>native</c>, <c>rebuild</c>).
/// </summary>
/// <param name="Expected">The FOD's hash (SRI).</param>
/// <param name="Actual">The hash of what was fetched (SRI), when something was.</param>
/// <param name="Url">The URL that decided the outcome, when one did.</param>
public sealed record VerificationRecord(
    string DrvPath,
    string OutputPath,
    string RecipeHash,
    string HashMode,
    string Status,
    string Expected,
    string? Actual,
    string Method,
    string? Url,
    string? Detail,
    DateTimeOffset VerifiedAt);
