namespace Vigil.Fod.Verification;

/// <summary>The outcome of verifying one FOD; <see cref="VerificationNames"/> has the stable lowercase names.</summary>
public enum VerificationStatus
{
    /// <summary>A fresh fetch or rebuild produced exactly the expected hash.</summary>
    Ok,

    /// <summary>The source answered, and its content hashes to something else.</summary>
    HashMismatch,

    /// <summary>No URL answered with content (HTTP error, connection failure, timeout, size limit).</summary>
    Unreachable,

    /// <summary>A rebuild failed for another reason than a download or a hash mismatch.</summary>
    BuildFailed,

    /// <summary>Not verified, with the reason in the detail.</summary>
    Skipped,
}
