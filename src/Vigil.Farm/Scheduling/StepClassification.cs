using Vigil.Data.Farm;

namespace Vigil.Farm.Scheduling;

/// <summary>
/// The failure semantics in one table: the Hydra status each outcome is recorded with, whether it
/// is tried again (only what can succeed on retry: the farm's failures, not the derivation's), and
/// whether its outputs become failed paths (only failures of the derivation itself, which no retry
/// or other machine changes; limits are per-build settings, so exceeding one is not cached).
/// </summary>
public static class StepClassification
{
    public static BuildStatus Status(StepOutcome outcome) => outcome switch
    {
        StepOutcome.Succeeded => BuildStatus.Succeeded,
        StepOutcome.BuildFailure => BuildStatus.Failed,
        StepOutcome.TimedOut => BuildStatus.TimedOut,
        StepOutcome.LogLimitExceeded => BuildStatus.LogLimitExceeded,
        StepOutcome.OutputLimitExceeded => BuildStatus.NarSizeLimitExceeded,
        StepOutcome.NotDeterministic => BuildStatus.NotDeterministic,
        StepOutcome.TransientFailure or StepOutcome.DependencyFailed or StepOutcome.BuilderLost or StepOutcome.Aborted => BuildStatus.Aborted,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "not a step outcome"),
    };

    public static bool IsRetryable(StepOutcome outcome) =>
        outcome is StepOutcome.TransientFailure or StepOutcome.DependencyFailed or StepOutcome.BuilderLost or StepOutcome.Aborted;

    public static bool CachesFailure(StepOutcome outcome) =>
        outcome is StepOutcome.BuildFailure or StepOutcome.NotDeterministic;
}
