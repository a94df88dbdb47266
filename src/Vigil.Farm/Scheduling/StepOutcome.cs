namespace Vigil.Farm.Scheduling;

/// <summary>How a step attempt ended, as a builder (or the farm itself) reports it; <see cref="StepClassification"/> says what each means.</summary>
public enum StepOutcome
{
    Succeeded,

    /// <summary>The builder exited non-zero: the derivation fails, and would again.</summary>
    BuildFailure,

    /// <summary>Nix reported a transient failure (e.g. a fetch that may work next time).</summary>
    TransientFailure,

    /// <summary>Nix on the builder could not get an input: the farm did not deliver it, so the step is tried again.</summary>
    DependencyFailed,

    TimedOut,
    LogLimitExceeded,
    OutputLimitExceeded,

    /// <summary>The builder went away (connection lost, silent past its deadline).</summary>
    BuilderLost,

    /// <summary>The farm could not run the step (sending inputs, receiving outputs, an internal error).</summary>
    Aborted,

    /// <summary>Repeated builds produced different outputs.</summary>
    NotDeterministic,
}
