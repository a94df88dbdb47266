namespace Vigil.Farm.Scheduling;

/// <summary>A joined machine: its slots, what runs there, its last pressure report and the times its free slots became free.</summary>
internal sealed class MachineState(MachineSpec spec, DateTimeOffset joinedAt)
{
    public MachineSpec Spec { get; } = spec;

    public Dictionary<long, Step> Running { get; } = [];

    public double Pressure { get; set; }

    /// <summary>Steps started since the last load report: pressure the report cannot show yet.</summary>
    public int StartedSinceReport { get; set; }

    public long StepsDone { get; set; }

    /// <summary>When each free slot became free, oldest first (for the idle-slot measure).</summary>
    public Queue<DateTimeOffset> FreeSince { get; } = new(Enumerable.Repeat(joinedAt, spec.MaxJobs));

    public bool HasFreeSlot => Running.Count < Spec.MaxJobs && (Spec.MaxPressure is not { } max || Pressure <= max);

    /// <summary>Lower is better: reported pressure plus the share of slots filled since the report.</summary>
    public double Score => Pressure + (100.0 * StartedSinceReport / Spec.MaxJobs);
}
