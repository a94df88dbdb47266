namespace Vigil.Farm.Scheduling;

internal enum StepState
{
    /// <summary>Some input derivation is not built yet.</summary>
    Waiting,
    Runnable,

    /// <summary>Failed in a retryable way; runnable again after its backoff.</summary>
    Backoff,
    Running,
    Succeeded,
    Failed,

    /// <summary>No unfinished build needs it any more (cancelled, or its builds failed).</summary>
    Dead,
}
