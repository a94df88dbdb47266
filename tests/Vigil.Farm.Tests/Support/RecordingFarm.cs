using Vigil.Data.Farm;
using Vigil.Farm.Recording;

namespace Vigil.Farm.Tests.Support;

/// <summary>Keeps what the scheduler records, in order, for assertions.</summary>
internal sealed class RecordingFarm : IFarmRecorder
{
    public List<BuildStepRecord> Steps { get; } = [];

    public Dictionary<long, BuildFinish> Finished { get; } = [];

    public List<FailedPathRecord> FailedPaths { get; } = [];

    public void Step(BuildStepRecord step) => Steps.Add(step);

    public void BuildFinished(BuildFinish finish, IReadOnlyList<BuildOutputRecord> outputs)
    {
        Assert.False(Finished.ContainsKey(finish.BuildId), $"build {finish.BuildId} finished twice");
        Finished[finish.BuildId] = finish;
    }

    public void PathFailed(FailedPathRecord failed) => FailedPaths.Add(failed);
}
