namespace Vigil.Farm.Scheduling;

/// <summary>
/// Runnable steps of one kind with the same priorities and jobsets, longest critical path first,
/// then lowest build id. Entries go stale when a step is requeued (its version moves on) or leaves
/// the runnable state; stale entries are dropped when they reach the top.
/// </summary>
internal sealed class Lane(int globalPriority, int priority, JobsetGroup jobsets)
{
    private readonly PriorityQueue<(Step Step, int Version), (int NegCriticalPath, long BuildId, int Index)> heap = new();

    public int GlobalPriority { get; } = globalPriority;

    public int Priority { get; } = priority;

    public JobsetGroup Jobsets { get; } = jobsets;

    public bool IsEmpty => heap.Count == 0;

    public void Push(Step step) => heap.Enqueue((step, step.Version), (-step.CriticalPath, step.LowestBuildId, step.Index));

    public bool TryPeek(out Step step)
    {
        while (heap.TryPeek(out var entry, out _))
        {
            if (entry.Step.Version == entry.Version && entry.Step.State == StepState.Runnable)
            {
                step = entry.Step;
                return true;
            }
            heap.Dequeue();
        }
        step = null!;
        return false;
    }

    public Step Pop()
    {
        if (!TryPeek(out var step))
        {
            throw new InvalidOperationException("the lane is empty");
        }
        heap.Dequeue();
        return step;
    }
}
