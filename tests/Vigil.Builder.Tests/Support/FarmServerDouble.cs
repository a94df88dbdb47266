using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vigil.Nix.Export;
using Vigil.Protocol.V1;

namespace Vigil.Builder.Tests.Support;

/// <summary>
/// A TEST DOUBLE of the farm server's gRPC side: just enough of the scheduler-side contract
/// (docs/farm-protocol.md) to drive a real builder. It welcomes builders, lets the test push
/// BuildRequests and Aborts, records heartbeats, logs and results, serves inputs from its own
/// chroot store (FetchPaths) and keeps uploaded NARs in memory. Runs on Kestrel, HTTP/2-only h2c
/// on 127.0.0.1; can be stopped and started again on the same port to play a server restart.
/// </summary>
internal sealed class FarmServerDouble : IAsyncDisposable
{
    private WebApplication? app;

    public FarmServerDouble(NixTestStore store) => Store = store;

    public NixTestStore Store { get; }

    public int Port { get; private set; }

    public Uri Url => new($"http://127.0.0.1:{Port}");

    /// <summary>Send ResultAck for each StepFinished (false plays a server that crashes before recording it).</summary>
    public bool AckResults { get; set; } = true;

    /// <summary>Welcome.accepted = false with this reason when set.</summary>
    public string? RejectWith { get; set; }

    public uint HeartbeatSeconds { get; set; } = 1;

    public ConcurrentQueue<Join> Joins { get; } = new();

    public ConcurrentQueue<Heartbeat> Heartbeats { get; } = new();

    public ConcurrentDictionary<string, StepStarted> Started { get; } = new();

    public ConcurrentDictionary<string, StepFinished> Finished { get; } = new();

    /// <summary>Every StepFinished received, duplicates included.</summary>
    public ConcurrentQueue<StepFinished> FinishedMessages { get; } = new();

    public ConcurrentDictionary<string, Uploaded> Uploads { get; } = new();

    private readonly ConcurrentDictionary<string, SortedDictionary<ulong, byte[]>> logs = new();
    private Channel<ServerMessage>? toBuilder;

    public sealed record Uploaded(PathInfo Info, byte[] Nar, byte[] Sha256);

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, Port, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = 16 * 1024 * 1024);
        builder.Services.AddSingleton(this);
        app = builder.Build();
        app.MapGrpcService<Service>();
        await app.StartAsync();
        Port = new Uri(app.Urls.First()).Port;
    }

    /// <summary>Stops Kestrel, cutting every stream: what the builder sees of a crashed server.</summary>
    public async Task StopAsync()
    {
        if (app is not null)
        {
            toBuilder?.Writer.TryComplete();
            // A cancelled token: stop at once, cutting open streams, as a crash would.
            using var now = new CancellationTokenSource();
            await now.CancelAsync();
            await app.StopAsync(now.Token);
            await app.DisposeAsync();
            app = null;
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>Pushes a message down the current builder's control stream.</summary>
    public void Send(ServerMessage message)
    {
        Assert.NotNull(toBuilder);
        Assert.True(toBuilder!.Writer.TryWrite(message));
    }

    public byte[] Log(string stepId)
    {
        if (!logs.TryGetValue(stepId, out var chunks))
        {
            return [];
        }
        lock (chunks)
        {
            using var all = new MemoryStream();
            foreach (var (offset, data) in chunks)
            {
                Assert.Equal((long)offset, all.Length);
                all.Write(data);
            }
            return all.ToArray();
        }
    }

    public static async Task<T> WaitAsync<T>(Func<T?> probe, TimeSpan timeout, string what)
        where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (probe() is { } value)
            {
                return value;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"waited {timeout.TotalSeconds} s for {what}");
    }

    public Task<StepFinished> WaitFinishedAsync(string stepId, int seconds = 120) =>
        WaitAsync(() => Finished.GetValueOrDefault(stepId), TimeSpan.FromSeconds(seconds), $"step {stepId} to finish");

    public Task<StepStarted> WaitStartedAsync(string stepId, int seconds = 60) =>
        WaitAsync(() => Started.GetValueOrDefault(stepId), TimeSpan.FromSeconds(seconds), $"step {stepId} to start");

    /// <summary>A BuildRequest for <paramref name="drv"/> with its inputs: the drv's closure and its inputs' outputs, references first.</summary>
    public async Task<BuildRequest> RequestAsync(string stepId, string drv)
    {
        var inputs = await Store.LinesAsync("nix-store", "--query", "--requisites", "--include-outputs", drv);
        return new BuildRequest { StepId = stepId, DrvPath = drv, Inputs = { inputs } };
    }

    private sealed class Service(FarmServerDouble server) : FarmService.FarmServiceBase
    {
        public override async Task Connect(IAsyncStreamReader<BuilderMessage> requestStream, IServerStreamWriter<ServerMessage> responseStream, ServerCallContext context)
        {
            if (!await requestStream.MoveNext(context.CancellationToken) || requestStream.Current.KindCase != BuilderMessage.KindOneofCase.Join)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, "the first message must be a join"));
            }
            var join = requestStream.Current.Join;
            server.Joins.Enqueue(join);
            if (server.RejectWith is { } reason)
            {
                await responseStream.WriteAsync(new ServerMessage { Welcome = new Welcome { Accepted = false, RejectionReason = reason } });
                return;
            }
            var outgoing = Channel.CreateUnbounded<ServerMessage>();
            server.toBuilder = outgoing;
            await responseStream.WriteAsync(new ServerMessage
            {
                Welcome = new Welcome { Accepted = true, ProtocolVersion = Math.Min(join.ProtocolVersion, 1), ServerVersion = "test-double", HeartbeatIntervalSeconds = server.HeartbeatSeconds, Resumed = server.Joins.Count > 1 },
            });
            var writer = Task.Run(async () =>
            {
                await foreach (var message in outgoing.Reader.ReadAllAsync(context.CancellationToken))
                {
                    await responseStream.WriteAsync(message);
                }
            });
            while (await requestStream.MoveNext(context.CancellationToken))
            {
                var message = requestStream.Current;
                switch (message.KindCase)
                {
                    case BuilderMessage.KindOneofCase.Heartbeat:
                        server.Heartbeats.Enqueue(message.Heartbeat);
                        break;
                    case BuilderMessage.KindOneofCase.StepStarted:
                        server.Started[message.StepStarted.StepId] = message.StepStarted;
                        break;
                    case BuilderMessage.KindOneofCase.LogChunk:
                        var chunks = server.logs.GetOrAdd(message.LogChunk.StepId, _ => new SortedDictionary<ulong, byte[]>());
                        lock (chunks)
                        {
                            chunks[message.LogChunk.Offset] = message.LogChunk.Data.ToByteArray();
                        }
                        break;
                    case BuilderMessage.KindOneofCase.StepFinished:
                        server.FinishedMessages.Enqueue(message.StepFinished);
                        server.Finished[message.StepFinished.StepId] = message.StepFinished;
                        if (server.AckResults)
                        {
                            outgoing.Writer.TryWrite(new ServerMessage { ResultAck = new ResultAck { StepId = message.StepFinished.StepId } });
                        }
                        break;
                }
            }
            outgoing.Writer.TryComplete();
            try
            {
                await writer;
            }
            catch (OperationCanceledException)
            {
            }
        }

        public override async Task FetchPaths(FetchPathsRequest request, IServerStreamWriter<NarStreamMessage> responseStream, ServerCallContext context)
        {
            foreach (var path in request.Paths)
            {
                var references = await server.Store.LinesAsync("nix-store", "--query", "--references", path);
                var deriver = (await server.Store.LinesAsync("nix-store", "--query", "--deriver", path)).Single();
                var nar = server.Store.Nar(path);
                var sha = ByteString.CopyFrom(SHA256.HashData(nar));
                await responseStream.WriteAsync(new NarStreamMessage
                {
                    Begin = new PathInfo { Path = path, References = { references }, Deriver = deriver == "unknown-deriver" ? "" : deriver, NarSha256 = sha, NarSize = (ulong)nar.Length },
                });
                for (var at = 0; at < nar.Length; at += 1000)
                {
                    await responseStream.WriteAsync(new NarStreamMessage { Chunk = ByteString.CopyFrom(nar, at, Math.Min(1000, nar.Length - at)) });
                }
                await responseStream.WriteAsync(new NarStreamMessage { End = new NarEnd { NarSha256 = sha, NarSize = (ulong)nar.Length } });
            }
        }

        public override async Task<UploadOutputsReply> UploadOutputs(IAsyncStreamReader<UploadMessage> requestStream, ServerCallContext context)
        {
            var reply = new UploadOutputsReply();
            var received = new List<Uploaded>();
            PathInfo? current = null;
            MemoryStream? nar = null;
            await foreach (var message in requestStream.ReadAllAsync(context.CancellationToken))
            {
                switch (message.KindCase)
                {
                    case UploadMessage.KindOneofCase.Header:
                        break;
                    case UploadMessage.KindOneofCase.Begin:
                        current = message.Begin;
                        nar = new MemoryStream();
                        break;
                    case UploadMessage.KindOneofCase.Chunk:
                        nar!.Write(message.Chunk.Span);
                        break;
                    case UploadMessage.KindOneofCase.End:
                        var bytes = nar!.ToArray();
                        var sha = SHA256.HashData(bytes);
                        if (!sha.AsSpan().SequenceEqual(message.End.NarSha256.Span) || (ulong)bytes.Length != message.End.NarSize)
                        {
                            throw new RpcException(new Status(StatusCode.InvalidArgument, $"NAR of {current!.Path} does not match its hash"));
                        }
                        received.Add(new Uploaded(current!, bytes, sha));
                        reply.StoredPaths.Add(current!.Path);
                        break;
                }
            }
            // All or nothing: only a completed call stores its paths.
            foreach (var upload in received)
            {
                server.Uploads[upload.Info.Path] = upload;
            }
            return reply;
        }
    }

    /// <summary>Nix's export format of uploaded paths, for <c>nix-store --import</c> into another store.</summary>
    public async Task<byte[]> ExportUploadsAsync(IEnumerable<string> paths)
    {
        using var buffer = new MemoryStream();
        var writer = new NixExportWriter(buffer);
        foreach (var path in paths)
        {
            var upload = Uploads[path];
            await writer.BeginPathAsync();
            await writer.WriteNarAsync(upload.Nar);
            await writer.EndPathAsync(path, upload.Info.References, upload.Info.Deriver);
        }
        await writer.FinishAsync();
        return buffer.ToArray();
    }
}
