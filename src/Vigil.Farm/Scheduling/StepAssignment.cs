namespace Vigil.Farm.Scheduling;

/// <summary>
/// A step sent to a machine: which derivation, for which build (the one its row is filed under) and
/// step number, which attempt, and the build limits (seconds) of the builds needing it.
/// </summary>
public sealed record StepAssignment(long Id, string Machine, string DrvPath, string System, IReadOnlyList<string> RequiredFeatures, long BuildId, int StepNr, int Attempt, int MaxSilent, int Timeout, DateTimeOffset StartedAt);
