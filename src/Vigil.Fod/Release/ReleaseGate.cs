using Vigil.Data;

namespace Vigil.Fod.Release;

/// <summary>Judges a release's changed FODs by their latest verification (see <see cref="GateReport"/>).</summary>
public static class ReleaseGate
{
    /// <summary>
    /// The latest verification decides: a pair verified ok once and found broken since does not pass,
    /// because what the release would ship can no longer be shown to match its source.
    /// </summary>
    public static GateReport Judge(string release, string since, IReadOnlyList<StoredFod> changed, IReadOnlyList<FodLiveness> liveness)
    {
        ArgumentNullException.ThrowIfNull(changed);
        var latest = LivenessIndex.Of(liveness);
        var entries = changed
            .Select(c =>
            {
                var l = latest.GetValueOrDefault(LivenessIndex.Key(c.Fod));
                return new GateEntry(c, l is null ? GateOutcome.Unverified : Outcome(l.LastStatus), l);
            })
            .OrderBy(e => e.Outcome)
            .ThenBy(e => e.Fod.Fod.DrvPath, StringComparer.Ordinal)
            .ToList();
        return new GateReport(release, since, entries);
    }

    public static string Name(this GateOutcome outcome) => outcome switch
    {
        GateOutcome.Verified => "verified",
        GateOutcome.HashMismatch => "hash-mismatch",
        GateOutcome.Unreachable => "unreachable",
        GateOutcome.BuildFailed => "build-failed",
        GateOutcome.Unverified => "unverified",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };

    private static GateOutcome Outcome(string status) => status switch
    {
        "ok" => GateOutcome.Verified,
        "hash-mismatch" => GateOutcome.HashMismatch,
        "unreachable" => GateOutcome.Unreachable,
        "build-failed" => GateOutcome.BuildFailed,
        // A status this version does not know is not evidence of anything.
        _ => GateOutcome.Unverified,
    };
}
