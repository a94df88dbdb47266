using Vigil.Farm.Graph;

namespace Vigil.Farm.Scheduling;

/// <summary>
/// One derivation to build, shared by every build that needs it. Its scheduling keys are maxima
/// (priorities, critical path) and unions (jobsets) over the builds needing it, kept by
/// propagating from each build's top-level step down its inputs: an input's keys always dominate
/// its dependents', which is what lets propagation stop where nothing changes.
/// </summary>
internal sealed class Step(int index, DrvInfo drv, StepKind kind)
{
    public int Index { get; } = index;

    public DrvInfo Drv { get; } = drv;

    public StepKind Kind { get; } = kind;

    public List<Step> Deps { get; } = [];

    public List<Step> Rdeps { get; } = [];

    /// <summary>Unfinished builds whose top-level derivation this is.</summary>
    public List<BuildState> TopBuilds { get; } = [];

    public int PendingDeps { get; set; }

    public StepState State { get; set; }

    public int GlobalPriority { get; set; } = int.MinValue;

    public int Priority { get; set; } = int.MinValue;

    public long LowestBuildId { get; set; } = long.MaxValue;

    public JobsetGroup Jobsets { get; set; } = JobsetGroup.Empty;

    /// <summary>The longest chain of unfinished steps waiting on this one, counting itself.</summary>
    public int CriticalPath { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset RunnableSince { get; set; }

    public DateTimeOffset After { get; set; }

    /// <summary>Bumped whenever the step is (re)queued: queue entries with an older version are stale.</summary>
    public int Version { get; set; }

    public StepAssignment? Running { get; set; }

    public bool IsLive => State is StepState.Waiting or StepState.Runnable or StepState.Backoff or StepState.Running;
}
