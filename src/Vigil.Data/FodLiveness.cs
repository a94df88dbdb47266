namespace Vigil.Data;

/// <summary>
/// An FOD identity's (recipe, hash, mode) state as of its latest verification that was not skipped:
/// the liveness row. <see cref="LastStatus"/> is the stable status name (<c>ok</c>, <c>hash-mismatch</c>…).
/// </summary>
/// <param name="DrvPath">The drv verified last under this identity.</param>
/// <param name="LastOkAt">The latest ok verification, if there ever was one.</param>
/// <param name="BrokenSince">The first failure after the last ok; null while the latest is ok.</param>
/// <param name="Actual">What the latest verification found (SRI), when it found something.</param>
public sealed record FodLiveness(
    string RecipeHash,
    string HashSri,
    string HashMode,
    string DrvPath,
    string LastStatus,
    DateTimeOffset LastCheckedAt,
    DateTimeOffset? LastOkAt,
    DateTimeOffset? BrokenSince,
    string? Actual,
    string? Url,
    string? Detail)
{
    public bool IsOk => LastStatus == "ok";
}
