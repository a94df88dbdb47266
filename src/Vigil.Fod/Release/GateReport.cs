namespace Vigil.Fod.Release;

/// <summary>
/// The release check: every FOD the release has and the previous release has not (same output and
/// recipe), each with its latest verification. It passes when every one was verified ok.
/// </summary>
public sealed record GateReport(string Release, string Since, IReadOnlyList<GateEntry> Entries)
{
    public bool Passed => Entries.All(e => e.Outcome == GateOutcome.Verified);

    public int Count(GateOutcome outcome) => Entries.Count(e => e.Outcome == outcome);
}
