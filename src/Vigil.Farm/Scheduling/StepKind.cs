namespace Vigil.Farm.Scheduling;

/// <summary>
/// A per-system queue, split further by required features: runnable steps of one system and feature
/// set, in lanes, and the machines able to build them. Kinds keep systems apart, so a busy system
/// never starves another (Hydra's single C++ queue did); features make machine matching a property
/// of the queue rather than of each step.
/// </summary>
internal sealed class StepKind(string system, string[] features)
{
    public string System { get; } = system;

    public string[] Features { get; } = features;

    public Dictionary<(int, int, JobsetGroup), Lane> Lanes { get; } = [];

    public List<MachineState> Machines { get; } = [];

    /// <summary>Live runnable steps (lanes may also hold stale entries).</summary>
    public int Runnable { get; set; }

    /// <summary>Since when it has had runnable steps and no machine at all; null while it has one.</summary>
    public DateTimeOffset? UnsupportedSince { get; set; }

    public static string KeyOf(string system, IReadOnlyList<string> features) => system + "|" + string.Join(',', features);

    public void Push(Step step)
    {
        var key = (step.GlobalPriority, step.Priority, step.Jobsets);
        if (!Lanes.TryGetValue(key, out var lane))
        {
            lane = new Lane(step.GlobalPriority, step.Priority, step.Jobsets);
            Lanes[key] = lane;
        }
        lane.Push(step);
    }
}
