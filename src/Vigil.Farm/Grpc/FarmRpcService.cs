using System.Security.Cryptography;
using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Vigil.Nix.Export;
using Vigil.Nix.Nar;
using Vigil.Protocol.V1;
using Vigil.Store.Evaluation;

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
            // The NAR is written while it is sent, so its hash and size are known only at the end:
            // begin leaves them unset and end carries them (the builder checks end).
            await responseStream.WriteAsync(new NarStreamMessage
            {
                Begin = new PathInfo { Path = path, References = { references }, Deriver = deriver ?? "" },
            }, token).ConfigureAwait(false);
            var nar = await NarChunkStreamer.StreamAsync(store.Location.RealPath(path), ChunkSize, (chunk, ct) =>
                new ValueTask(responseStream.WriteAsync(new NarStreamMessage { Chunk = ByteString.CopyFrom(chunk.Span) }, ct)), token).ConfigureAwait(false);
            await responseStream.WriteAsync(new NarStreamMessage { End = new NarEnd { NarSha256 = ByteString.CopyFrom(nar.Sha256), NarSize = nar.Size } }, token).ConfigureAwait(false);
        }
    }

    public override async Task<UploadOutputsReply> UploadOutputs(IAsyncStreamReader<UploadMessage> requestStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(context);
        var stored = new List<string>();
        try
        {
            // One nix-store --import for the call, fed as the chunks arrive: each output is
            // registered once its trailer is written, which happens only after its end checked out.
            await hub.Store.ImportAsync((stdin, ct) => ImportUploadAsync(requestStream, stdin, stored, ct), context.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NixProcessException or IOException)
        {
            // Nix refused the stream (a malformed NAR, a full disk): not the builder's data
            // against its own hash, so the builder retries.
            throw new RpcException(new Status(StatusCode.Internal, $"importing the upload failed: {e.Message}"));
        }
        return new UploadOutputsReply { StoredPaths = { stored } };
    }

    /// <summary>
    /// Writes the uploaded outputs in Nix's export format to <paramref name="stdin"/>, checking
    /// each NAR's SHA-256 and size against its end before writing the trailer that makes Nix
    /// register it. Any failure (a mismatch, a truncated or cancelled upload) throws before that
    /// trailer, so the import stops and the output is not registered; outputs the store has
    /// already (a retried upload) are checked but not written again.
    /// </summary>
    private async Task ImportUploadAsync(IAsyncStreamReader<UploadMessage> requestStream, Stream stdin, List<string> stored, CancellationToken token)
    {
        var store = hub.Store;
        var export = new NixExportWriter(stdin);
        PathInfo? current = null;
        var importing = false;
        ulong size = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await foreach (var message in requestStream.ReadAllAsync(token).ConfigureAwait(false))
        {
            switch (message.KindCase)
            {
                case UploadMessage.KindOneofCase.Header:
                    break;
                case UploadMessage.KindOneofCase.Begin:
                    if (current is not null)
                    {
                        throw Invalid($"'{message.Begin.Path}' began before the NAR of {current.Path} ended");
                    }
                    current = message.Begin;
                    if (!current.Path.StartsWith(store.StoreDir + "/", StringComparison.Ordinal) || current.Path.Contains("/..", StringComparison.Ordinal))
                    {
                        throw Invalid($"'{current.Path}' is not a path of the server's store");
                    }
                    size = 0;
                    importing = (await store.QueryInvalidAsync([current.Path], token).ConfigureAwait(false)).Count > 0;
                    if (importing)
                    {
                        await export.BeginPathAsync(token).ConfigureAwait(false);
                    }
                    break;
                case UploadMessage.KindOneofCase.Chunk when current is not null:
                    hash.AppendData(message.Chunk.Span);
                    size += (ulong)message.Chunk.Length;
                    if (importing)
                    {
                        await export.WriteNarAsync(message.Chunk.Memory, token).ConfigureAwait(false);
                    }
                    break;
                case UploadMessage.KindOneofCase.End when current is not null:
                    var digest = hash.GetHashAndReset();
                    if (!digest.AsSpan().SequenceEqual(message.End.NarSha256.Span) || size != message.End.NarSize)
                    {
                        throw Invalid($"the NAR of {current.Path} does not match its announced SHA-256 and size");
                    }
                    if (importing)
                    {
                        await export.EndPathAsync(current.Path, current.References, string.IsNullOrEmpty(current.Deriver) ? null : current.Deriver, token).ConfigureAwait(false);
                    }
                    stored.Add(current.Path);
                    current = null;
                    break;
                case UploadMessage.KindOneofCase.Chunk or UploadMessage.KindOneofCase.End:
                    throw Invalid($"{message.KindCase} outside an output's NAR");
                default:
                    // A message kind of a later protocol revision: skipped, as the protocol says.
                    break;
            }
        }
        if (current is not null)
        {
            throw Invalid($"the upload ended inside the NAR of {current.Path}");
        }
        await export.FinishAsync(token).ConfigureAwait(false);
    }

    private static RpcException Invalid(string detail) => new(new Status(StatusCode.InvalidArgument, detail));
}
