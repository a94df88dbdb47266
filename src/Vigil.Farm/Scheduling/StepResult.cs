namespace Vigil.Farm.Scheduling;

/// <summary>A builder's report of one assignment; ReportedAt (default: when the scheduler reads it) is when the slot became free.</summary>
public sealed record StepResult(long AssignmentId, StepOutcome Outcome, string? Error = null, DateTimeOffset? ReportedAt = null);
