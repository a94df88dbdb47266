namespace Vigil.Farm.Scheduling;

/// <summary>What became of a build handed to the scheduler.</summary>
public enum AttachOutcome
{
    /// <summary>Its steps are queued (shared with other builds where the derivation is the same).</summary>
    Queued,

    /// <summary>Every output existed: finished as succeeded, cached.</summary>
    Cached,

    /// <summary>A derivation of its closure is a recorded failure: finished as failed.</summary>
    Failed,

    /// <summary>A step the walk stopped at has gone meanwhile (cancelled): walk the closure again.</summary>
    Stale,

    /// <summary>The scheduler already has this build.</summary>
    Duplicate,
}
