using System.Security.Cryptography;
using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Vigil.Nix.Export;
using Vigil.Nix.Nar;
using Vigil.Protocol.V1;

namespace Vigil.Farm.Grpc;

/// <summary>
/// The wire side of <c>vigil.farm.v1</c> (docs/farm-protocol.md): the control stream, inputs from
/// the server's store, outputs into it. What happens to a message is <see cref="FarmHub"/>'s business.
/// </summary>
public sealed class FarmRpcService(FarmHub hub, TimeProvider time) : FarmService.FarmServiceBase
{
    private const int ChunkSize = 256 * 1024;

    public override async Task Connect(IAsyncStreamReader<BuilderMessage> requestStream, IServerStreamWriter<ServerMessage> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        var token = context.CancellationToken;
        if (!await requestStream.MoveNext(token).ConfigureAwait(false) || requestStream.Current.KindCase != BuilderMessage.KindOneofCase.Join)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the first message on Connect must be a Join"));
        }
        var outbox = Channel.CreateUnbounded<ServerMessage>(new UnboundedChannelOptions { SingleReader = true });
        var (welcome, session) = await hub.JoinAsync(requestStream.Current.Join, outbox, token).ConfigureAwait(false);
        // The Welcome goes first, before anything the session queued on attaching (aborts, re-sent requests).
        await responseStream.WriteAsync(new ServerMessage { Welcome = welcome }, token).ConfigureAwait(false);
        if (session is null)
        {
            return;
        }
        var sending = Task.Run(async () =>
        {
            await foreach (var message in outbox.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                await responseStream.WriteAsync(message, token).ConfigureAwait(false);
            }
        }, CancellationToken.None);
        try
        {
            while (await requestStream.MoveNext(token).ConfigureAwait(false))
            {
                session.Seen(time.GetUtcNow());
                var message = requestStream.Current;
                switch (message.KindCase)
                {
                    case BuilderMessage.KindOneofCase.Heartbeat:
                        hub.Heartbeat(session, message.Heartbeat);
                        break;
                    case BuilderMessage.KindOneofCase.StepStarted:
                        hub.Started(session, message.StepStarted);
                        break;
                    case BuilderMessage.KindOneofCase.LogChunk:
                        hub.Log(session, message.LogChunk);
                        break;
                    case BuilderMessage.KindOneofCase.StepFinished:
                        await hub.FinishAsync(session, message.StepFinished, token).ConfigureAwait(false);
                        session.Send(new ServerMessage { ResultAck = new ResultAck { StepId = message.StepFinished.StepId } });
                        break;
                    default:
                        // A message kind of a later protocol revision: skipped, as the protocol says.
                        break;
                }
            }
        }
        finally
        {
            session.Detach(outbox);
            try
            {
                await sending.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
            {
                // The connection is gone; the liveness sweep decides about the builder.
            }
        }
    }

    public override async Task FetchPaths(FetchPathsRequest request, IServerStreamWriter<NarStreamMessage> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        var token = context.CancellationToken;
        var store = hub.Store;
        foreach (var path in request.Paths)
        {
            if (!path.StartsWith(store.StoreDir + "/", StringComparison.Ordinal) || path.Contains("/..", StringComparison.Ordinal))
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"'{path}' is not a path of the server's store"));
            }
            var references = await store.QueryReferencesAsync(path, token).ConfigureAwait(false);
            var deriver = await store.QueryDeriverAsync(path, token).ConfigureAwait(false);
            // Whole in memory, so hash and size go up front; farm inputs are mostly small (a streamed
            // variant for multi-gigabyte paths is listed as open work in docs/farm.md).
            var nar = await Task.Run(() => NarWriter.ToArray(store.Location.RealPath(path)), token).ConfigureAwait(false);
            var sha = ByteString.CopyFrom(SHA256.HashData(nar));
            await responseStream.WriteAsync(new NarStreamMessage
            {
                Begin = new PathInfo { Path = path, References = { references }, Deriver = deriver ?? "", NarSha256 = sha, NarSize = (ulong)nar.Length },
            }, token).ConfigureAwait(false);
            for (var at = 0; at < nar.Length; at += ChunkSize)
            {
                await responseStream.WriteAsync(new NarStreamMessage { Chunk = ByteString.CopyFrom(nar, at, Math.Min(ChunkSize, nar.Length - at)) }, token).ConfigureAwait(false);
            }
            await responseStream.WriteAsync(new NarStreamMessage { End = new NarEnd { NarSha256 = sha, NarSize = (ulong)nar.Length } }, token).ConfigureAwait(false);
        }
    }

    public override async Task<UploadOutputsReply> UploadOutputs(IAsyncStreamReader<UploadMessage> requestStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(context);
        var token = context.CancellationToken;
        var store = hub.Store;
        var received = new List<(PathInfo Info, byte[] Nar)>();
        PathInfo? current = null;
        using var nar = new MemoryStream();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await foreach (var message in requestStream.ReadAllAsync(token).ConfigureAwait(false))
        {
            switch (message.KindCase)
            {
                case UploadMessage.KindOneofCase.Begin:
                    current = message.Begin;
                    if (!current.Path.StartsWith(store.StoreDir + "/", StringComparison.Ordinal))
                    {
                        throw new RpcException(new Status(StatusCode.InvalidArgument, $"'{current.Path}' is not a path of the server's store"));
                    }
                    nar.SetLength(0);
                    break;
                case UploadMessage.KindOneofCase.Chunk when current is not null:
                    nar.Write(message.Chunk.Span);
                    hash.AppendData(message.Chunk.Span);
                    break;
                case UploadMessage.KindOneofCase.End when current is not null:
                    var digest = hash.GetHashAndReset();
                    if (!digest.AsSpan().SequenceEqual(message.End.NarSha256.Span) || (ulong)nar.Length != message.End.NarSize)
                    {
                        throw new RpcException(new Status(StatusCode.InvalidArgument, $"the NAR of {current.Path} does not match its announced SHA-256 and size"));
                    }
                    received.Add((current, nar.ToArray()));
                    current = null;
                    break;
                default:
                    break;
            }
        }
        // All or nothing: only a completed call is imported; paths the store has are skipped (a retried upload).
        var missing = (await store.QueryInvalidAsync([.. received.Select(r => r.Info.Path)], token).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        if (missing.Count > 0)
        {
            await store.ImportAsync(async (stdin, ct) =>
            {
                var export = new NixExportWriter(stdin);
                foreach (var (info, bytes) in received.Where(r => missing.Contains(r.Info.Path)))
                {
                    await export.BeginPathAsync(ct).ConfigureAwait(false);
                    await export.WriteNarAsync(bytes, ct).ConfigureAwait(false);
                    await export.EndPathAsync(info.Path, info.References, string.IsNullOrEmpty(info.Deriver) ? null : info.Deriver, ct).ConfigureAwait(false);
                }
                await export.FinishAsync(ct).ConfigureAwait(false);
            }, token).ConfigureAwait(false);
        }
        return new UploadOutputsReply { StoredPaths = { received.Select(r => r.Info.Path) } };
    }
}
