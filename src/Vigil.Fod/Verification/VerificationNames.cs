namespace Vigil.Fod.Verification;

/// <summary>The stable names of statuses and methods, as JSON, the CLI and the database spell them.</summary>
public static class VerificationNames
{
    public static string Name(this VerificationStatus status) => status switch
    {
        VerificationStatus.Ok => "ok",
        VerificationStatus.HashMismatch => "hash-mismatch",
        VerificationStatus.Unreachable => "unreachable",
        VerificationStatus.BuildFailed => "build-failed",
        VerificationStatus.Skipped => "skipped",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static string Name(this VerificationMethod method) => method switch
    {
        VerificationMethod.Native => "native",
        VerificationMethod.Rebuild => "rebuild",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
    };

    /// <summary>True for the outcomes a release must not ship with.</summary>
    public static bool IsFailure(this VerificationStatus status) =>
        status is VerificationStatus.HashMismatch or VerificationStatus.Unreachable or VerificationStatus.BuildFailed;
}
