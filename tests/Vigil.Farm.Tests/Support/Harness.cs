using Vigil.Data.Farm;
using Vigil.Farm.Graph;
using Vigil.Farm.Scheduling;
using Vigil.Testing;

namespace Vigil.Farm.Tests.Support;

/// <summary>
/// Drives a <see cref="SchedulerCore"/> synchronously on a manual clock: steps take the time the
/// test says, and the earliest to end is reported first. No threads, no sleeping.
/// </summary>
internal sealed class Harness : IStepDispatcher
{
    private readonly List<(StepAssignment Assignment, DateTimeOffset EndsAt)> running = [];

    public Harness(SchedulerOptions? options = null, int seed = 1)
    {
        Core = new SchedulerCore(options ?? SchedulerOptions.Default, Clock, new Random(seed), Recorder, this);
    }

    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public RecordingFarm Recorder { get; } = new();

    public SchedulerCore Core { get; }

    public List<StepAssignment> Started { get; } = [];

    public List<StepAssignment> Aborted { get; } = [];

    public Func<StepAssignment, TimeSpan> Duration { get; set; } = _ => TimeSpan.FromSeconds(10);

    public Func<StepAssignment, StepOutcome> Outcome { get; set; } = _ => StepOutcome.Succeeded;

    public IReadOnlyList<StepAssignment> Running => [.. running.Select(r => r.Assignment)];

    public void Start(StepAssignment assignment)
    {
        Started.Add(assignment);
        running.Add((assignment, Clock.Now + Duration(assignment)));
    }

    public void Abort(StepAssignment assignment)
    {
        Aborted.Add(assignment);
        running.RemoveAll(r => r.Assignment.Id == assignment.Id);
    }

    public AttachOutcome Add(IDrvSource source, QueuedBuild build, IOutputOracle? oracle = null)
    {
        var fragment = new StepExpander(source, oracle ?? FixedOutputOracle.None, null, Core.Marks).ExpandAsync(build.DrvPath, CancellationToken.None).GetAwaiter().GetResult();
        return Core.AddBuild(build, fragment);
    }

    /// <summary>Dispatches, then ends the earliest running step, until nothing runs and nothing is due; <paramref name="afterDispatch"/> sees each state after a dispatch.</summary>
    public void RunToEnd(Action? afterDispatch = null, int maxEvents = 1_000_000)
    {
        for (var events = 0; events < maxEvents; events++)
        {
            Core.Dispatch();
            afterDispatch?.Invoke();
            if (running.Count == 0)
            {
                if (Core.NextWakeUp is { } wake)
                {
                    Clock.Now = wake > Clock.Now ? wake : Clock.Now;
                    continue;
                }
                return;
            }
            var next = running.MinBy(r => (r.EndsAt, r.Assignment.Id));
            running.Remove(next);
            if (next.EndsAt > Clock.Now)
            {
                Clock.Now = next.EndsAt;
            }
            Core.Complete(new StepResult(next.Assignment.Id, Outcome(next.Assignment)));
        }
        Assert.Fail("the scheduler did not settle");
    }

    public static MachineSpec Machine(string name, int jobs, string[]? systems = null, string[]? supported = null, string[]? mandatory = null) =>
        new(name, systems ?? ["x86_64-linux"], supported ?? [], mandatory ?? [], jobs);
}
