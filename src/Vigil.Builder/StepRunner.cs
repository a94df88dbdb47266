using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Vigil.Nix;
using Vigil.Nix.Export;
using Vigil.Nix.Nar;
using Vigil.Protocol.V1;
using Vigil.Store;
using Vigil.Store.Evaluation;

namespace Vigil.Builder;

/// <summary>
/// Runs one BuildRequest to its StepFinished: fetch the inputs this store lacks from the server
/// and import them, realise the drv (<see cref="RealiseRun"/>), then dump, hash and upload every
/// output. Each phase's failure has its class: anything before or after Nix ran is transient
/// (the machine or the network, not the derivation); what Nix says is classified from its exit.
/// </summary>
internal sealed partial class StepRunner(StepContext context, BuildRequest request)
{
    /// <summary>Size of one NAR chunk message; well under gRPC's default 4 MiB message limit.</summary>
    public const int ChunkSize = 256 * 1024;

    private readonly CancellationTokenSource abort = new();
    private readonly object gate = new();
    private (StepStatus Status, string Reason)? abortedFor;

    public string StepId => request.StepId;

    /// <summary>Stops the step (Abort message, shutdown deadline); it then finishes with <paramref name="status"/>.</summary>
    public void Abort(StepStatus status, string reason)
    {
        lock (gate)
        {
            abortedFor ??= (status, reason);
        }
        try
        {
            abort.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Finished meanwhile.
        }
    }

    public async Task<StepFinished> RunAsync()
    {
        var time = context.Time;
        var result = new StepFinished { StepId = request.StepId, StartedAtUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds(), ExitCode = -1 };
        var token = abort.Token;
        var phase = "fetching inputs";
        try
        {
            var importStart = time.GetTimestamp();
            var fetched = await FetchInputsAsync(token).ConfigureAwait(false);
            result.ImportMs = (long)time.GetElapsedTime(importStart).TotalMilliseconds;
            context.Send(new BuilderMessage
            {
                StepStarted = new StepStarted { StepId = request.StepId, StartedAtUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds(), ImportMs = result.ImportMs, FetchedBytes = fetched },
            });

            phase = "building";
            var buildStart = time.GetTimestamp();
            var outcome = await new RealiseRun(context, request).RunAsync(token).ConfigureAwait(false);
            result.BuildMs = (long)time.GetElapsedTime(buildStart).TotalMilliseconds;
            result.ExitCode = outcome.ExitCode;
            result.LogBytes = outcome.LogBytes;
            if (outcome.Status != StepStatus.Success)
            {
                result.Status = outcome.Status == StepStatus.Aborted && AbortReason() is { } why ? why.Status : outcome.Status;
                result.ErrorMessage = outcome.Status == StepStatus.Aborted && AbortReason() is { } reason ? reason.Reason : outcome.Message;
                return Finish(result);
            }

            phase = "uploading outputs";
            var uploadStart = time.GetTimestamp();
            result.Outputs.AddRange(await UploadOutputsAsync(token).ConfigureAwait(false));
            result.UploadMs = (long)time.GetElapsedTime(uploadStart).TotalMilliseconds;
            result.Status = StepStatus.Success;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            var why = AbortReason() ?? (StepStatus.Aborted, "aborted");
            result.Status = why.Status;
            result.ErrorMessage = $"{why.Reason} (while {phase})";
        }
        catch (OutputLimitExceededException e)
        {
            result.Status = StepStatus.OutputLimit;
            result.ErrorMessage = e.Message;
        }
        catch (Exception e) when (e is RpcException or NixProcessException or StoreException or NixFormatException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            result.Status = StepStatus.Transient;
            result.ErrorMessage = $"{phase}: {e.Message}";
        }
        return Finish(result);
    }

    private StepFinished Finish(StepFinished result)
    {
        result.FinishedAtUnixMs = context.Time.GetUtcNow().ToUnixTimeMilliseconds();
        abort.Dispose();
        return result;
    }

    private (StepStatus Status, string Reason)? AbortReason()
    {
        lock (gate)
        {
            return abortedFor;
        }
    }

    /// <summary>Imports the inputs this store lacks; returns the NAR bytes fetched.</summary>
    private async Task<ulong> FetchInputsAsync(CancellationToken token)
    {
        ulong fetched = 0;
        for (var attempt = 0; ; attempt++)
        {
            var missing = await context.Store.QueryInvalidAsync(request.Inputs, token).ConfigureAwait(false);
            if (missing.Count == 0)
            {
                return fetched;
            }
            try
            {
                await context.Store.ImportAsync(async (stdin, ct) => fetched += await ReceiveAsync(missing, stdin, ct).ConfigureAwait(false), token).ConfigureAwait(false);
                return fetched;
            }
            catch (Exception e) when (attempt + 1 < context.Options.FetchAttempts && !token.IsCancellationRequested
                && e is RpcException or NixProcessException or InvalidDataException or IOException)
            {
                Log.FetchRetry(context.Logger, request.StepId, attempt + 1, e.Message);
                await Task.Delay(context.Backoff.Delay(attempt), context.Time, token).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Streams FetchPaths into Nix's export format, checking each NAR's hash and size on the way.</summary>
    private async Task<ulong> ReceiveAsync(IReadOnlyList<string> missing, Stream stdin, CancellationToken token)
    {
        var writer = new NixExportWriter(stdin);
        using var call = context.Client.FetchPaths(
            new FetchPathsRequest { BuilderId = context.Options.BuilderId, StepId = request.StepId, Paths = { missing } },
            cancellationToken: token);
        var received = 0;
        ulong total = 0;
        PathInfo? current = null;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        ulong size = 0;
        await foreach (var message in call.ResponseStream.ReadAllAsync(token).ConfigureAwait(false))
        {
            switch (message.KindCase)
            {
                case NarStreamMessage.KindOneofCase.Begin:
                    if (current is not null || received >= missing.Count || message.Begin.Path != missing[received])
                    {
                        throw new InvalidDataException($"server sent '{message.Begin.Path}' out of order (expected '{(received < missing.Count ? missing[received] : "nothing")}')");
                    }
                    current = message.Begin;
                    size = 0;
                    await writer.BeginPathAsync(token).ConfigureAwait(false);
                    break;
                case NarStreamMessage.KindOneofCase.Chunk when current is not null:
                    hash.AppendData(message.Chunk.Span);
                    size += (ulong)message.Chunk.Length;
                    await writer.WriteNarAsync(message.Chunk.Memory, token).ConfigureAwait(false);
                    break;
                case NarStreamMessage.KindOneofCase.End when current is not null:
                    var digest = hash.GetHashAndReset();
                    // begin carries hash and size only when the server knew them before sending
                    // (empty and 0 otherwise, as the streaming server does); end always does.
                    if (size != message.End.NarSize || !digest.AsSpan().SequenceEqual(message.End.NarSha256.Span)
                        || (current.NarSha256.Length > 0 && !digest.AsSpan().SequenceEqual(current.NarSha256.Span))
                        || (current.NarSize > 0 && size != current.NarSize))
                    {
                        throw new InvalidDataException($"'{current.Path}' arrived corrupt (NAR hash or size differs from what the server announced)");
                    }
                    await writer.EndPathAsync(current.Path, current.References, current.Deriver, token).ConfigureAwait(false);
                    total += size;
                    received++;
                    current = null;
                    break;
                default:
                    throw new InvalidDataException($"unexpected {message.KindCase} in the path stream");
            }
        }
        if (current is not null || received != missing.Count)
        {
            throw new InvalidDataException($"server sent {received} of {missing.Count} paths");
        }
        await writer.FinishAsync(token).ConfigureAwait(false);
        return total;
    }

    /// <summary>Dumps, hashes and uploads every output; retried (with backoff) until it succeeds or the step is stopped.</summary>
    private async Task<IReadOnlyList<OutputInfo>> UploadOutputsAsync(CancellationToken token)
    {
        var store = context.Store;
        var drv = new DerivationReader(store.Location).Read(request.DrvPath);
        var outputs = new List<(string Name, string Path, IReadOnlyList<string> References)>();
        foreach (var output in drv.Outputs)
        {
            outputs.Add((output.Name, output.Path, await store.QueryReferencesAsync(output.Path, token).ConfigureAwait(false)));
        }
        // An output referring to a sibling must reach the server after it: the server registers
        // each path as it arrives and Nix refuses a path whose references are not valid.
        outputs = OrderByReferences(outputs);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await UploadOnceAsync(outputs, token).ConfigureAwait(false);
            }
            catch (RpcException e) when (!token.IsCancellationRequested && e.StatusCode is not StatusCode.InvalidArgument and not StatusCode.FailedPrecondition)
            {
                Log.UploadRetry(context.Logger, request.StepId, attempt + 1, e.Status.Detail);
                await Task.Delay(context.Backoff.Delay(Math.Min(attempt, 10)), context.Time, token).ConfigureAwait(false);
            }
        }
    }

    private async Task<IReadOnlyList<OutputInfo>> UploadOnceAsync(IReadOnlyList<(string Name, string Path, IReadOnlyList<string> References)> outputs, CancellationToken token)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(token);
        using var call = context.Client.UploadOutputs(cancellationToken: linked.Token);
        var infos = new List<OutputInfo>();
        try
        {
            await call.RequestStream.WriteAsync(new UploadMessage { Header = new UploadHeader { BuilderId = context.Options.BuilderId, StepId = request.StepId } }, linked.Token).ConfigureAwait(false);
            foreach (var (name, path, references) in outputs)
            {
                await call.RequestStream.WriteAsync(new UploadMessage { Begin = new PathInfo { Path = path, References = { references }, Deriver = request.DrvPath } }, linked.Token).ConfigureAwait(false);
                var (digest, size) = await StreamNarAsync(context.Store.Location.RealPath(path), path, call.RequestStream, linked.Token).ConfigureAwait(false);
                await call.RequestStream.WriteAsync(new UploadMessage { End = new NarEnd { NarSha256 = ByteString.CopyFrom(digest), NarSize = size } }, linked.Token).ConfigureAwait(false);
                infos.Add(new OutputInfo { Name = name, Path = path, NarSha256 = ByteString.CopyFrom(digest), NarSize = size, References = { references }, Deriver = request.DrvPath });
            }
            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            await call.ResponseAsync.ConfigureAwait(false);
            return infos;
        }
        catch (OutputLimitExceededException)
        {
            // Abandon the call: the server registers no output whose NAR did not arrive whole
            // and checked (outputs uploaded before this one may be kept, a retry skips them).
            await linked.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The NAR of <paramref name="realPath"/> as chunk messages, hashed on the way; enforces max_output_bytes.</summary>
    private async Task<(byte[] Digest, ulong Size)> StreamNarAsync(string realPath, string storePath, IAsyncStreamWriter<UploadMessage> destination, CancellationToken token)
    {
        ulong size = 0;
        var nar = await NarChunkStreamer.StreamAsync(realPath, ChunkSize, async (chunk, ct) =>
        {
            size += (ulong)chunk.Length;
            if (request.MaxOutputBytes > 0 && size > request.MaxOutputBytes)
            {
                throw new OutputLimitExceededException($"output '{storePath}' is larger than the limit of {request.MaxOutputBytes} bytes (NAR size)");
            }
            await destination.WriteAsync(new UploadMessage { Chunk = ByteString.CopyFrom(chunk.Span) }, ct).ConfigureAwait(false);
        }, token).ConfigureAwait(false);
        return (nar.Sha256, nar.Size);
    }

    private static List<(string Name, string Path, IReadOnlyList<string> References)> OrderByReferences(List<(string Name, string Path, IReadOnlyList<string> References)> outputs)
    {
        var ordered = new List<(string Name, string Path, IReadOnlyList<string> References)>();
        var placed = new HashSet<string>(StringComparer.Ordinal);
        var paths = outputs.Select(o => o.Path).ToHashSet(StringComparer.Ordinal);
        while (ordered.Count < outputs.Count)
        {
            var progress = false;
            foreach (var output in outputs)
            {
                if (!placed.Contains(output.Path) && output.References.All(r => r == output.Path || !paths.Contains(r) || placed.Contains(r)))
                {
                    ordered.Add(output);
                    placed.Add(output.Path);
                    progress = true;
                }
            }
            if (!progress)
            {
                // Outputs referring to each other in a cycle cannot be valid in Nix; send them as they are.
                ordered.AddRange(outputs.Where(o => !placed.Contains(o.Path)));
                break;
            }
        }
        return ordered;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "step {StepId}: fetching inputs failed (attempt {Attempt}): {Reason}; retrying")]
        public static partial void FetchRetry(ILogger logger, string stepId, int attempt, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "step {StepId}: upload failed (attempt {Attempt}): {Reason}; retrying")]
        public static partial void UploadRetry(ILogger logger, string stepId, int attempt, string reason);
    }
}
