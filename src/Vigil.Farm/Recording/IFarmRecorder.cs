using Vigil.Data.Farm;

namespace Vigil.Farm.Recording;

/// <summary>
/// Where the scheduler reports what happened, to be stored: called on the scheduler's thread and
/// must not block (<see cref="FarmBatchWriter"/> queues and writes in batches).
/// </summary>
public interface IFarmRecorder
{
    /// <summary>A step row, new or replacing the one with the same build and step number.</summary>
    void Step(BuildStepRecord step);

    void BuildFinished(BuildFinish finish, IReadOnlyList<BuildOutputRecord> outputs);

    void PathFailed(FailedPathRecord failed);
}
