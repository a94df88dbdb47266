namespace Vigil.Data.Farm;

/// <summary>
/// What the queue runner's writer stores in one transaction: step rows (inserted or, same build and
/// step number, replaced), finished builds, build outputs, failed paths and log locations.
/// </summary>
public sealed record FarmBatch(
    IReadOnlyList<BuildStepRecord> Steps,
    IReadOnlyList<BuildFinish> Finishes,
    IReadOnlyList<BuildOutputRecord> Outputs,
    IReadOnlyList<FailedPathRecord> FailedPaths,
    IReadOnlyList<BuildLogRecord> Logs)
{
    public bool IsEmpty => Steps.Count == 0 && Finishes.Count == 0 && Outputs.Count == 0 && FailedPaths.Count == 0 && Logs.Count == 0;
}
