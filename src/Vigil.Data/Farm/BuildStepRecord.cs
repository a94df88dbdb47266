namespace Vigil.Data.Farm;

/// <summary>
/// One attempt of a step, filed under the build it ran for (Hydra's BuildSteps row). Written when the
/// step starts (Busy set, Status null) and again when it ends; a batch may carry only the final form.
/// PropagatedFrom names the build whose step really failed, on rows that record a propagated failure.
/// </summary>
public sealed record BuildStepRecord(
    long BuildId,
    int StepNr,
    string DrvPath,
    string System,
    string Machine,
    StepPhase Busy,
    BuildStatus? Status,
    string? ErrorMsg,
    DateTimeOffset? StartTime,
    DateTimeOffset? StopTime,
    int Attempt,
    long? PropagatedFrom);
