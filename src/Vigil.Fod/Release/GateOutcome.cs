namespace Vigil.Fod.Release;

/// <summary>Where a changed FOD stands at release time, by its latest verification.</summary>
public enum GateOutcome
{
    /// <summary>Its latest verification was ok.</summary>
    Verified,

    /// <summary>Its latest verification fetched something else than its hash claims.</summary>
    HashMismatch,

    /// <summary>Its latest verification found no source answering.</summary>
    Unreachable,

    /// <summary>Its latest verification was a rebuild that failed.</summary>
    BuildFailed,

    /// <summary>Never verified (or only skipped).</summary>
    Unverified,
}
