using System.Collections.Concurrent;
using Vigil.Farm.Scheduling;

namespace Vigil.Farm.Execution;

/// <summary>
/// A SIMULATED builder, not a real one: it builds nothing. Each assignment "takes" the time
/// <c>duration</c> gives (zero: reported at once) on the given clock, then reports the outcome
/// <c>outcome</c> gives. For scheduler tests and the scheduler benchmark only.
/// </summary>
public sealed class SimulatedBuilder(
    Action<StepResult> report,
    TimeProvider time,
    Func<StepAssignment, TimeSpan>? duration = null,
    Func<StepAssignment, StepOutcome>? outcome = null) : IBuildExecutor, IDisposable
{
    private readonly ConcurrentDictionary<long, ITimer> timers = new();

    public void Start(StepAssignment assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        var wait = duration?.Invoke(assignment) ?? TimeSpan.Zero;
        if (wait <= TimeSpan.Zero)
        {
            Finish(assignment);
            return;
        }
        var timer = time.CreateTimer(_ =>
        {
            if (timers.TryRemove(assignment.Id, out var t))
            {
                t.Dispose();
                Finish(assignment);
            }
        }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        timers[assignment.Id] = timer;
        timer.Change(wait, Timeout.InfiniteTimeSpan);
    }

    private void Finish(StepAssignment assignment)
    {
        var result = outcome?.Invoke(assignment) ?? StepOutcome.Succeeded;
        report(new StepResult(assignment.Id, result, result == StepOutcome.Succeeded ? null : $"simulated {result}", time.GetUtcNow()));
    }

    public void Abort(StepAssignment assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        if (timers.TryRemove(assignment.Id, out var timer))
        {
            timer.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var timer in timers.Values)
        {
            timer.Dispose();
        }
        timers.Clear();
    }
}
