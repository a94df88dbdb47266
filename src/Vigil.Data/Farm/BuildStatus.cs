namespace Vigil.Data.Farm;

/// <summary>
/// Hydra's build and step status codes (<c>Builds.buildStatus</c>, <c>BuildSteps.status</c>),
/// number for number, so that whoever reads Hydra's results reads Vigil's the same way.
/// <see cref="BuildStatusNames"/> has the names and meanings.
/// </summary>
public enum BuildStatus
{
    Succeeded = 0,
    Failed = 1,
    DependencyFailed = 2,
    Aborted = 3,
    Cancelled = 4,
    Obsolete = 5,
    FailedWithOutput = 6,
    TimedOut = 7,
    CachedFailure = 8,
    Unsupported = 9,
    LogLimitExceeded = 10,
    NarSizeLimitExceeded = 11,
    NotDeterministic = 12,
    Resolved = 13,

    /// <summary>In memory only, never stored: the step is running.</summary>
    Busy = 100,
}
