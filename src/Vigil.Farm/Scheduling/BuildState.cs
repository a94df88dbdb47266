using Vigil.Data.Farm;

namespace Vigil.Farm.Scheduling;

/// <summary>An unfinished build in the scheduler: its top-level step and what it asks for.</summary>
internal sealed class BuildState(QueuedBuild build, JobsetGroup jobset)
{
    public QueuedBuild Build { get; } = build;

    public long Id => Build.Id;

    public int GlobalPriority { get; set; } = build.GlobalPriority;

    public JobsetGroup Jobset { get; } = jobset;

    public Step? Top { get; set; }

    public int NextStepNr { get; set; } = build.LastStepNr + 1;

    public DateTimeOffset? StartedAt { get; set; }
}
