using Vigil.Farm.Scheduling;

namespace Vigil.Farm.Execution;

/// <summary>
/// One machine's way to run steps: the gRPC builder connection will implement it; for now
/// <see cref="SimulatedBuilder"/> does, in process. Both calls come from the scheduler's thread and
/// must not block; the outcome is reported later through <see cref="QueueRunner.Complete"/>.
/// </summary>
public interface IBuildExecutor
{
    void Start(StepAssignment assignment);

    /// <summary>Stops the assignment if it still runs; no result is expected for it any more.</summary>
    void Abort(StepAssignment assignment);
}
