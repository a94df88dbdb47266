using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Vigil.Farm.Execution;
using Vigil.Farm.Scheduling;
using Vigil.Protocol.V1;

namespace Vigil.Farm.Grpc;

/// <summary>
/// One builder as the server knows it, across its connections: the scheduler's executor for that
/// machine. A step sent to it becomes a BuildRequest on the builder's current control stream (its
/// inputs computed from the server's store off the scheduler's thread); while the builder is
/// disconnected the request waits and is sent again when it resumes.
/// </summary>
public sealed class BuilderSession(string name, FarmHub hub) : IBuildExecutor
{
    private readonly ConcurrentDictionary<string, StepAssignment> running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, BuildRequest> requests = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private Channel<ServerMessage>? outbox;
    private long lastSeenTicks;

    public string Name { get; } = name;

    /// <summary>Set once the liveness sweeper gave up on it; a later join starts a new session.</summary>
    public bool Lost { get; set; }

    public DateTimeOffset LastSeen => new(Interlocked.Read(ref lastSeenTicks), TimeSpan.Zero);

    public ICollection<string> RunningStepIds => running.Keys;

    public static string StepId(StepAssignment assignment) => assignment.Id.ToString(CultureInfo.InvariantCulture);

    public void Seen(DateTimeOffset at) => Interlocked.Exchange(ref lastSeenTicks, at.UtcTicks);

    public StepAssignment? Find(string stepId) => running.GetValueOrDefault(stepId);

    /// <summary>The step ended (its result is in): forget it.</summary>
    public bool Forget(string stepId)
    {
        requests.TryRemove(stepId, out _);
        return running.TryRemove(stepId, out _);
    }

    public void Start(StepAssignment assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        var stepId = StepId(assignment);
        running[stepId] = assignment;
        _ = Task.Run(async () =>
        {
            var request = await hub.RequestForAsync(assignment).ConfigureAwait(false);
            if (request is null || !running.ContainsKey(stepId))
            {
                return;
            }
            requests[stepId] = request;
            Send(new ServerMessage { Build = request });
        });
    }

    public void Abort(StepAssignment assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        var stepId = StepId(assignment);
        if (Forget(stepId))
        {
            Send(new ServerMessage { Abort = new Protocol.V1.Abort { StepId = stepId, Reason = "the server no longer needs this step" } });
        }
    }

    /// <summary>
    /// A (re)connection: messages go to <paramref name="channel"/> from now on. Steps the builder
    /// runs that this session does not know get an Abort; steps this session gave it that it does
    /// not know (lost with the old connection) are requested again.
    /// </summary>
    public void Attach(Channel<ServerMessage> channel, Join join)
    {
        ArgumentNullException.ThrowIfNull(join);
        lock (gate)
        {
            outbox?.Writer.TryComplete();
            outbox = channel;
        }
        var known = join.RunningStepIds.Concat(join.UnacknowledgedStepIds).ToHashSet(StringComparer.Ordinal);
        foreach (var stepId in join.RunningStepIds.Where(id => !running.ContainsKey(id)))
        {
            Send(new ServerMessage { Abort = new Protocol.V1.Abort { StepId = stepId, Reason = "the server requeued this step" } });
        }
        foreach (var (stepId, request) in requests.Where(r => !known.Contains(r.Key)))
        {
            Send(new ServerMessage { Build = request });
        }
    }

    public void Detach(Channel<ServerMessage> channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        lock (gate)
        {
            if (outbox == channel)
            {
                outbox = null;
            }
        }
        channel.Writer.TryComplete();
    }

    public void Send(ServerMessage message)
    {
        lock (gate)
        {
            outbox?.Writer.TryWrite(message);
        }
    }
}
