namespace Vigil.Data.Farm;

/// <summary>The one place that names Hydra's status codes: a short name for tables and JSON, and what it means.</summary>
public static class BuildStatusNames
{
    /// <summary>The short name, as in JSON output and tables (<c>succeeded</c>, <c>dependency-failed</c>…); <c>unknown-N</c> for a code Hydra does not define.</summary>
    public static string Name(BuildStatus status) => status switch
    {
        BuildStatus.Succeeded => "succeeded",
        BuildStatus.Failed => "failed",
        BuildStatus.DependencyFailed => "dependency-failed",
        BuildStatus.Aborted => "aborted",
        BuildStatus.Cancelled => "cancelled",
        BuildStatus.Obsolete => "obsolete",
        BuildStatus.FailedWithOutput => "failed-with-output",
        BuildStatus.TimedOut => "timed-out",
        BuildStatus.CachedFailure => "cached-failure",
        BuildStatus.Unsupported => "unsupported",
        BuildStatus.LogLimitExceeded => "log-limit-exceeded",
        BuildStatus.NarSizeLimitExceeded => "output-limit-exceeded",
        BuildStatus.NotDeterministic => "not-deterministic",
        BuildStatus.Resolved => "resolved",
        BuildStatus.Busy => "busy",
        _ => $"unknown-{(int)status}",
    };

    /// <summary>What the code means, in Hydra's words where it has them.</summary>
    public static string Describe(BuildStatus status) => status switch
    {
        BuildStatus.Succeeded => "succeeded",
        BuildStatus.Failed => "failed: the builder returned a non-zero exit code",
        BuildStatus.DependencyFailed => "a dependency failed (builds only)",
        BuildStatus.Aborted => "aborted: a failure of the farm, not of the derivation (retried)",
        BuildStatus.Cancelled => "cancelled",
        BuildStatus.Obsolete => "obsolete",
        BuildStatus.FailedWithOutput => "failed with output: $out/nix-support/failed exists (builds only)",
        BuildStatus.TimedOut => "timed out (build timeout or max-silent time)",
        BuildStatus.CachedFailure => "cached failure: an output is in the failed paths (steps only)",
        BuildStatus.Unsupported => "unsupported system type: no machine can build it",
        BuildStatus.LogLimitExceeded => "log limit exceeded",
        BuildStatus.NarSizeLimitExceeded => "output (NAR) size limit exceeded",
        BuildStatus.NotDeterministic => "not deterministic: repeated builds differ",
        BuildStatus.Resolved => "resolved to a content-addressed derivation",
        BuildStatus.Busy => "busy (in memory only)",
        _ => $"status code {(int)status}, not one of Hydra's",
    };
}
