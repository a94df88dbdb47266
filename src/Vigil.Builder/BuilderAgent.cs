using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Vigil.Builder.Telemetry;
using Vigil.Protocol.V1;
using Vigil.Store;
using Vigil.Store.Evaluation;

namespace Vigil.Builder;

/// <summary>
/// The builder process's core: keeps one control stream to the server open (reconnecting with
/// backoff and jitter, under the same builder id), joins, heartbeats, runs the steps it is sent
/// (at most <see cref="BuilderOptions.Jobs"/> at once) and reports them.
/// </summary>
/// <remarks>
/// Steps do not depend on the connection: a step keeps running while the server is away, and its
/// messages wait in the outbox, which outlives connections. A result stays "unacknowledged" until
/// the server's ResultAck, and is sent again after every reconnect, so a server that crashed
/// between receiving and recording a result still gets it. Only log chunks can be lost, and only
/// the one being written when the connection broke (the offsets make that gap visible).
/// </remarks>
public sealed partial class BuilderAgent : IDisposable
{
    /// <summary>The protocol revision this builder speaks (Join.protocol_version).</summary>
    public const uint ProtocolVersion = 1;

    private static readonly TimeSpan DefaultHeartbeat = TimeSpan.FromSeconds(10);

    private readonly BuilderOptions options;
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly GrpcChannel channel;
    private readonly FarmService.FarmServiceClient client;
    private readonly ReconnectBackoff backoff;
    private readonly NixStoreClient store;
    private readonly SystemProbe probe;
    private readonly StepContext stepContext;
    private readonly Channel<BuilderMessage> outbox = Channel.CreateUnbounded<BuilderMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, RunningStep> running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StepFinished> unacknowledged = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim slots;
    private readonly CancellationTokenSource stopConnecting = new();
    private readonly TaskCompletionSource shutdownRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TimeSpan shutdownGrace;
    private volatile bool draining;
    private int connections;

    public BuilderAgent(BuilderOptions options, ILogger logger, TimeProvider? time = null, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Jobs, 1);
        this.options = options;
        this.logger = logger;
        this.time = time ?? TimeProvider.System;
        backoff = new ReconnectBackoff(options.ReconnectInitialDelay, options.ReconnectMaxDelay, random ?? Random.Shared);
        channel = GrpcChannel.ForAddress(options.ServerUrl, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                // HTTP/2 pings on an idle connection too: a server that vanished without closing
                // the TCP connection (power loss, a dropped route) is noticed within two periods.
                KeepAlivePingDelay = options.KeepAlive,
                KeepAlivePingTimeout = options.KeepAlive,
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                ConnectTimeout = TimeSpan.FromSeconds(10),
                EnableMultipleHttp2Connections = true,
            },
            MaxReceiveMessageSize = 16 * 1024 * 1024,
            MaxSendMessageSize = 16 * 1024 * 1024,
        });
        client = new FarmService.FarmServiceClient(channel);
        store = new NixStoreClient(options.Store, options.NixOptions, options.NixBinDirectory);
        probe = new SystemProbe(store.Location.RealDirectory);
        slots = new SemaphoreSlim(options.Jobs, options.Jobs);
        shutdownGrace = options.ShutdownGrace;
        stepContext = new StepContext(options, store, client, this.time, backoff, logger, Enqueue);
    }

    /// <summary>How many times a control stream was opened (tests watch reconnects).</summary>
    public int Connections => Volatile.Read(ref connections);

    /// <summary>Ids of the steps running now.</summary>
    public IReadOnlyCollection<string> RunningSteps => [.. running.Keys];

    /// <summary>
    /// Runs until <paramref name="stop"/> (SIGTERM: finish steps within the grace, then abort them)
    /// or a Shutdown from the server, or until the server rejects the builder.
    /// </summary>
    public async Task<BuilderExit> RunAsync(CancellationToken stop)
    {
        using var onStop = stop.Register(() => RequestShutdown(options.ShutdownGrace, "stop requested"));
        var connection = Task.Run(() => ConnectLoopAsync(stopConnecting.Token), CancellationToken.None);
        var first = await Task.WhenAny(connection, shutdownRequested.Task).ConfigureAwait(false);
        if (first == connection)
        {
            // Only a rejection ends the loop by itself.
            await AbortAllAsync("the server rejected this builder").ConfigureAwait(false);
            return await connection.ConfigureAwait(false);
        }
        Log.ShuttingDown(logger, running.Count, shutdownGrace.TotalSeconds);
        using (var grace = new CancellationTokenSource(shutdownGrace, time))
        {
            try
            {
                await WaitForStepsAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await AbortAllAsync("builder shutting down: grace period over").ConfigureAwait(false);
            }
        }
        // Give the server a moment to acknowledge the last results; past that it will requeue.
        using (var flush = new CancellationTokenSource(options.ResultFlushTimeout, time))
        {
            try
            {
                while (!unacknowledged.IsEmpty && !connection.IsCompleted)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(50), time, flush.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                Log.ResultsUnacknowledged(logger, unacknowledged.Count);
            }
        }
        await stopConnecting.CancelAsync().ConfigureAwait(false);
        var exit = await connection.ConfigureAwait(false);
        return exit == BuilderExit.Rejected ? exit : BuilderExit.Stopped;
    }

    /// <summary>Stop taking steps; finish running ones within <paramref name="grace"/>, then abort them and exit.</summary>
    public void RequestShutdown(TimeSpan grace, string reason)
    {
        draining = true;
        if (!shutdownRequested.Task.IsCompleted)
        {
            shutdownGrace = grace;
            Log.ShutdownRequested(logger, reason);
        }
        shutdownRequested.TrySetResult();
    }

    public void Dispose()
    {
        channel.Dispose();
        slots.Dispose();
        stopConnecting.Dispose();
    }

    private void Enqueue(BuilderMessage message) => outbox.Writer.TryWrite(message);

    /// <summary>
    /// Opens (on first use, creates) the store before the builder joins: its steps then start up to
    /// <see cref="BuilderOptions.Jobs"/> Nix processes at once, which on a store nobody created yet
    /// race and fail (<see cref="NixStoreClient.OpenAsync"/>). A store that cannot be opened is
    /// retried with backoff, as an absent server is; false when stopped meanwhile.
    /// </summary>
    private async Task<bool> OpenStoreAsync(CancellationToken stop)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await store.OpenAsync(stop).ConfigureAwait(false);
                return true;
            }
            catch (NixProcessException e)
            {
                var delay = backoff.Delay(attempt);
                Log.StoreUnusable(logger, options.Store ?? "(default)", e.Message, delay.TotalSeconds);
                try
                {
                    await Task.Delay(delay, time, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return false;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return false;
            }
        }
    }

    private async Task<BuilderExit> ConnectLoopAsync(CancellationToken stop)
    {
        if (!await OpenStoreAsync(stop).ConfigureAwait(false))
        {
            return BuilderExit.Stopped;
        }
        var attempt = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var welcomed = await SessionAsync(stop).ConfigureAwait(false);
                if (welcomed is false)
                {
                    return BuilderExit.Rejected;
                }
                // A session that got its welcome resets the backoff: the server was there.
                if (welcomed is true)
                {
                    attempt = 0;
                }
            }
            catch (Exception e) when (e is RpcException or IOException or HttpRequestException or InvalidOperationException or ObjectDisposedException
                || (e is OperationCanceledException && !stop.IsCancellationRequested))
            {
                Log.ConnectionLost(logger, options.ServerUrl, Describe(e));
            }
            catch (OperationCanceledException)
            {
                break;
            }
            if (stop.IsCancellationRequested)
            {
                break;
            }
            var delay = backoff.Delay(attempt++);
            Log.Reconnecting(logger, delay.TotalSeconds, attempt);
            try
            {
                await Task.Delay(delay, time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return BuilderExit.Stopped;
    }

    /// <summary>One connection: join, then pump both directions until it breaks. Null: broke before the welcome; false: rejected.</summary>
    private async Task<bool?> SessionAsync(CancellationToken stop)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(stop);
        using var call = client.Connect(cancellationToken: session.Token);
        Interlocked.Increment(ref connections);
        using var writeLock = new SemaphoreSlim(1, 1);
        await call.RequestStream.WriteAsync(new BuilderMessage { Join = BuildJoin() }, session.Token).ConfigureAwait(false);
        if (!await call.ResponseStream.MoveNext(session.Token).ConfigureAwait(false))
        {
            return null;
        }
        var first = call.ResponseStream.Current;
        if (first.KindCase != ServerMessage.KindOneofCase.Welcome)
        {
            throw new InvalidOperationException($"server sent {first.KindCase} before its welcome");
        }
        var welcome = first.Welcome;
        if (!welcome.Accepted)
        {
            Log.Rejected(logger, welcome.RejectionReason);
            return false;
        }
        Log.Joined(logger, options.ServerUrl, options.BuilderId, welcome.ServerVersion, welcome.ProtocolVersion, welcome.Resumed);
        // A Drain is the stopping server's; a server that welcomes us (restarted, or another one)
        // wants work done again. Only our own shutdown drains for good.
        if (!shutdownRequested.Task.IsCompleted)
        {
            draining = false;
        }
        var heartbeatInterval = welcome.HeartbeatIntervalSeconds > 0 ? TimeSpan.FromSeconds(welcome.HeartbeatIntervalSeconds) : DefaultHeartbeat;
        try
        {
            // Results the previous server never acknowledged go first, before anything new.
            foreach (var result in unacknowledged.Values.ToList())
            {
                await call.RequestStream.WriteAsync(new BuilderMessage { StepFinished = result }, session.Token).ConfigureAwait(false);
            }
            var pumpOut = PumpOutboxAsync(call.RequestStream, writeLock, session.Token);
            var heartbeat = HeartbeatAsync(call.RequestStream, writeLock, heartbeatInterval, session.Token);
            var pumpIn = ReadServerAsync(call.ResponseStream, session.Token);
            var ended = await Task.WhenAny(pumpOut, heartbeat, pumpIn).ConfigureAwait(false);
            await session.CancelAsync().ConfigureAwait(false);
            await IgnoreCancellation(pumpOut, heartbeat, pumpIn).ConfigureAwait(false);
            await ended.ConfigureAwait(false);
            if (!stop.IsCancellationRequested)
            {
                Log.ConnectionLost(logger, options.ServerUrl, "the server ended the stream");
            }
            return true;
        }
        catch (Exception e) when (e is RpcException or IOException or OperationCanceledException or InvalidOperationException)
        {
            if (!stop.IsCancellationRequested)
            {
                Log.ConnectionLost(logger, options.ServerUrl, Describe(e));
            }
            return true;
        }
    }

    /// <summary>gRPC's own message carries the whole inner exception; its detail is the one line worth logging.</summary>
    private static string Describe(Exception e) => e is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : e.Message;

    private static async Task IgnoreCancellation(params Task[] tasks)
    {
        foreach (var task in tasks)
        {
            try
            {
                await task.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or RpcException or IOException or InvalidOperationException)
            {
                // The session is over; the first failure was already reported.
            }
        }
    }

    private Join BuildJoin()
    {
        var join = new Join
        {
            BuilderId = options.BuilderId,
            BuilderVersion = options.BuilderVersion,
            ProtocolVersion = ProtocolVersion,
            MaxJobs = (uint)options.Jobs,
            StoreDir = store.StoreDir,
        };
        join.Systems.AddRange(options.Systems);
        join.SupportedFeatures.AddRange(options.SupportedFeatures.Union(options.MandatoryFeatures, StringComparer.Ordinal));
        join.MandatoryFeatures.AddRange(options.MandatoryFeatures);
        join.RunningStepIds.AddRange(running.Keys);
        join.UnacknowledgedStepIds.AddRange(unacknowledged.Keys);
        return join;
    }

    private async Task PumpOutboxAsync(IClientStreamWriter<BuilderMessage> requests, SemaphoreSlim writeLock, CancellationToken token)
    {
        var reader = outbox.Reader;
        while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
        {
            // Peek, write, then take: a message whose write failed stays for the next connection.
            while (reader.TryPeek(out var message))
            {
                var stale = message.KindCase == BuilderMessage.KindOneofCase.StepFinished && !unacknowledged.ContainsKey(message.StepFinished.StepId);
                if (!stale)
                {
                    await WriteAsync(requests, writeLock, message, token).ConfigureAwait(false);
                }
                reader.TryRead(out _);
            }
        }
    }

    private async Task HeartbeatAsync(IClientStreamWriter<BuilderMessage> requests, SemaphoreSlim writeLock, TimeSpan interval, CancellationToken token)
    {
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            var heartbeat = probe.Sample();
            heartbeat.RunningStepIds.AddRange(running.Keys);
            heartbeat.Draining = draining;
            heartbeat.SentAtUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds();
            await WriteAsync(requests, writeLock, new BuilderMessage { Heartbeat = heartbeat }, token).ConfigureAwait(false);
        }
        while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false));
    }

    private static async Task WriteAsync(IClientStreamWriter<BuilderMessage> requests, SemaphoreSlim writeLock, BuilderMessage message, CancellationToken token)
    {
        await writeLock.WaitAsync(token).ConfigureAwait(false);
        try
        {
            await requests.WriteAsync(message, token).ConfigureAwait(false);
        }
        finally
        {
            writeLock.Release();
        }
    }

    private async Task ReadServerAsync(IAsyncStreamReader<ServerMessage> responses, CancellationToken token)
    {
        while (await responses.MoveNext(token).ConfigureAwait(false))
        {
            var message = responses.Current;
            switch (message.KindCase)
            {
                case ServerMessage.KindOneofCase.Build:
                    StartStep(message.Build);
                    break;
                case ServerMessage.KindOneofCase.Abort:
                    if (running.TryGetValue(message.Abort.StepId, out var step))
                    {
                        Log.Aborting(logger, message.Abort.StepId, message.Abort.Reason);
                        step.Runner.Abort(StepStatus.Aborted, string.IsNullOrEmpty(message.Abort.Reason) ? "aborted by the server" : "aborted by the server: " + message.Abort.Reason);
                    }
                    break;
                case ServerMessage.KindOneofCase.Drain:
                    draining = true;
                    Log.Draining(logger);
                    break;
                case ServerMessage.KindOneofCase.Shutdown:
                    RequestShutdown(TimeSpan.FromSeconds(message.Shutdown.GraceSeconds), "server: " + message.Shutdown.Reason);
                    break;
                case ServerMessage.KindOneofCase.ResultAck:
                    unacknowledged.TryRemove(message.ResultAck.StepId, out _);
                    break;
                default:
                    // A newer server's message this builder does not know: ignored, as protobuf ignores unknown fields.
                    break;
            }
        }
    }

    private void StartStep(BuildRequest request)
    {
        if (running.ContainsKey(request.StepId) || unacknowledged.TryGetValue(request.StepId, out _))
        {
            // A repeated request (the server re-sent after a reconnect): the step is already ours.
            if (unacknowledged.TryGetValue(request.StepId, out var done))
            {
                Enqueue(new BuilderMessage { StepFinished = done });
            }
            return;
        }
        if (draining)
        {
            var refused = new StepFinished
            {
                StepId = request.StepId,
                Status = StepStatus.Transient,
                ExitCode = -1,
                ErrorMessage = "builder is draining and takes no new steps",
                FinishedAtUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
            };
            unacknowledged[request.StepId] = refused;
            Enqueue(new BuilderMessage { StepFinished = refused });
            return;
        }
        var runner = new StepRunner(stepContext, request);
        var step = new RunningStep(runner);
        running[request.StepId] = step;
        Log.StepReceived(logger, request.StepId, request.DrvPath);
        step.Task = Task.Run(async () =>
        {
            StepFinished result;
            try
            {
                await slots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                try
                {
                    result = await runner.RunAsync().ConfigureAwait(false);
                }
                finally
                {
                    slots.Release();
                }
            }
#pragma warning disable CA1031 // A step's unexpected failure must become its result, not kill the builder.
            catch (Exception e)
#pragma warning restore CA1031
            {
                result = new StepFinished { StepId = request.StepId, Status = StepStatus.Transient, ExitCode = -1, ErrorMessage = "builder error: " + e.Message };
            }
            unacknowledged[request.StepId] = result;
            Enqueue(new BuilderMessage { StepFinished = result });
            running.TryRemove(request.StepId, out _);
            Log.StepFinished(logger, request.StepId, result.Status, result.ErrorMessage);
        }, CancellationToken.None);
    }

    private async Task WaitForStepsAsync(CancellationToken token)
    {
        while (!running.IsEmpty)
        {
            var tasks = running.Values.Select(s => s.Task).OfType<Task>().ToArray();
            await Task.WhenAll(tasks).WaitAsync(token).ConfigureAwait(false);
        }
    }

    private async Task AbortAllAsync(string reason)
    {
        foreach (var step in running.Values)
        {
            step.Runner.Abort(StepStatus.Aborted, reason);
        }
        await WaitForStepsAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private sealed class RunningStep(StepRunner runner)
    {
        public StepRunner Runner { get; } = runner;

        public Task? Task { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "joined {Server} as '{BuilderId}' (server {ServerVersion}, protocol {Protocol}, resumed {Resumed})")]
        public static partial void Joined(ILogger logger, Uri server, string builderId, string serverVersion, uint protocol, bool resumed);

        [LoggerMessage(Level = LogLevel.Warning, Message = "cannot open the store {Store}: {Reason}; retrying in {Seconds:F1} s")]
        public static partial void StoreUnusable(ILogger logger, string store, string reason, double seconds);

        [LoggerMessage(Level = LogLevel.Error, Message = "the server rejected this builder: {Reason}")]
        public static partial void Rejected(ILogger logger, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "connection to {Server} lost: {Reason}")]
        public static partial void ConnectionLost(ILogger logger, Uri server, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "reconnecting in {Seconds:F1} s (attempt {Attempt})")]
        public static partial void Reconnecting(ILogger logger, double seconds, int attempt);

        [LoggerMessage(Level = LogLevel.Information, Message = "step {StepId}: building {DrvPath}")]
        public static partial void StepReceived(ILogger logger, string stepId, string drvPath);

        [LoggerMessage(Level = LogLevel.Information, Message = "step {StepId}: {Status} {Message}")]
        public static partial void StepFinished(ILogger logger, string stepId, StepStatus status, string message);

        [LoggerMessage(Level = LogLevel.Information, Message = "step {StepId}: aborting ({Reason})")]
        public static partial void Aborting(ILogger logger, string stepId, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "draining: no new steps")]
        public static partial void Draining(ILogger logger);

        [LoggerMessage(Level = LogLevel.Information, Message = "shutdown requested: {Reason}")]
        public static partial void ShutdownRequested(ILogger logger, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "shutting down: {Count} step(s) running, {Seconds:F0} s to finish")]
        public static partial void ShuttingDown(ILogger logger, int count, double seconds);

        [LoggerMessage(Level = LogLevel.Warning, Message = "exiting with {Count} result(s) the server has not acknowledged; it will requeue those steps")]
        public static partial void ResultsUnacknowledged(ILogger logger, int count);
    }
}
