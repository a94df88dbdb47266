using Vigil.Data;

namespace Vigil.Fod.Release;

/// <summary>
/// Which sources are due for a liveness check: the never verified ones, and those whose latest
/// verification (ok or not) is at least one interval old. Sources vanish and change upstream long
/// after they were verified, so trust does not exempt a source from the schedule.
/// </summary>
public sealed class LivenessSchedule(TimeSpan interval, TimeProvider timeProvider)
{
    public TimeSpan Interval { get; } = interval > TimeSpan.Zero
        ? interval
        : throw new ArgumentOutOfRangeException(nameof(interval), interval, "the liveness interval must be positive");

    public IReadOnlyList<SourceLiveness> Assess(IReadOnlyList<StoredFod> fods, IReadOnlyList<FodLiveness> liveness)
    {
        ArgumentNullException.ThrowIfNull(fods);
        var latest = LivenessIndex.Of(liveness);
        var dueBefore = timeProvider.GetUtcNow() - Interval;
        return fods
            .Select(f =>
            {
                var l = latest.GetValueOrDefault(LivenessIndex.Key(f.Fod));
                var state = l is null ? SourceState.Unchecked : l.IsOk ? SourceState.Ok : SourceState.Broken;
                return new SourceLiveness(f, l, state, l is null || l.LastCheckedAt <= dueBefore);
            })
            .ToList();
    }
}
