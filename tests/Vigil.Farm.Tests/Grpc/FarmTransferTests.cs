using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Data;
using Vigil.Farm.Grpc;
using Vigil.Farm.Tests.Support;
using Vigil.Nix.Hashing;
using Vigil.Nix.Nar;
using Vigil.Protocol.V1;
using Vigil.Store;

namespace Vigil.Farm.Tests.Grpc;

/// <summary>
/// The farm server's bulk calls against a real chroot Nix store, in process (Kestrel on
/// 127.0.0.1): outputs in (UploadOutputs into <c>nix-store --import</c>) and inputs out
/// (FetchPaths), with the managed heap watched while a path of a few hundred MiB goes through, and
/// uploads that are corrupt, truncated or cancelled, none of which may leave its path registered.
/// </summary>
[Collection(nameof(FarmTransferTests))]
[CollectionDefinition(nameof(FarmTransferTests), DisableParallelization = true)]
public sealed class FarmTransferTests : IAsyncLifetime
{
    private const int ChunkSize = 256 * 1024;

    /// <summary>Size of the large file: zeros in a sparse file, so only the server's store pays disk for it.</summary>
    private const long LargeFileBytes = 256L * 1024 * 1024;

    /// <summary>
    /// What the live managed heap may grow by while the large path goes through: a few chunks and
    /// the collector's slack, far below the path's size (holding the NAR would be 256 MiB and more).
    /// </summary>
    private const long HeapBudgetBytes = 48L * 1024 * 1024;

    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("vigil-farm-transfer-");
    private VigilDatabase? database;
    private FarmServer? server;
    private GrpcChannel? channel;
    private NixStoreClient? store;

    private FarmService.FarmServiceClient Client => new(channel!);

    private NixStoreClient Store => store!;

    private string StoreRoot => Path.Combine(dir.FullName, "store");

    public async ValueTask InitializeAsync()
    {
        if (!await TestProcesses.CanRunAsync("nix-store", "--version"))
        {
            return;
        }
        database = await VigilDatabase.OpenAsync(Path.Combine(dir.FullName, "vigil.db"), TestContext.Current.CancellationToken);
        var options = new FarmServerOptions("127.0.0.1", 0, "local?root=" + StoreRoot, Path.Combine(dir.FullName, "logs"),
            TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        server = await FarmServer.StartAsync(database, options, NullLogger.Instance, cancellationToken: TestContext.Current.CancellationToken);
        channel = GrpcChannel.ForAddress(server.Url);
        store = new NixStoreClient(options.Store, options.NixOptions);
    }

    public async ValueTask DisposeAsync()
    {
        channel?.Dispose();
        if (server is not null)
        {
            await server.DisposeAsync();
        }
        if (database is not null)
        {
            await database.DisposeAsync();
        }
        // Nix makes store directories read-only.
        if (Directory.Exists(StoreRoot))
        {
            await TestProcesses.RunAsync(null, "chmod", "-R", "u+w", StoreRoot);
        }
        dir.Delete(recursive: true);
    }

    [Fact]
    public async Task A_large_output_goes_up_and_comes_back_down_in_bounded_server_memory()
    {
        Assert.SkipWhen(!NixAvailable, "nix is not installed");
        var ct = TestContext.Current.CancellationToken;
        var source = Path.Combine(dir.FullName, "large");
        await using (var file = File.Create(source))
        {
            file.SetLength(LargeFileBytes);
        }
        var path = StorePath("large");

        var upload = await PeakHeapGrowthAsync(async () =>
        {
            var reply = await UploadAsync([(path, source)], ct);
            Assert.Equal([path], reply.StoredPaths);
        });
        var sent = await NarOfAsync(source);
        Assert.Empty(await Store.QueryInvalidAsync([path], ct));
        Assert.Equal("sha256:" + Nix32.Encode(sent.Sha256), (await NixStoreAsync("--query", "--hash", path)).Trim());

        PathInfo? begin = null;
        byte[]? announced = null;
        ulong received = 0;
        byte[]? digest = null;
        var fetch = await PeakHeapGrowthAsync(async () =>
        {
            using var call = Client.FetchPaths(new FetchPathsRequest { Paths = { path } }, cancellationToken: ct);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await foreach (var message in call.ResponseStream.ReadAllAsync(ct))
            {
                switch (message.KindCase)
                {
                    case NarStreamMessage.KindOneofCase.Begin:
                        begin = message.Begin;
                        break;
                    case NarStreamMessage.KindOneofCase.Chunk:
                        Assert.InRange(message.Chunk.Length, 1, ChunkSize);
                        hash.AppendData(message.Chunk.Span);
                        received += (ulong)message.Chunk.Length;
                        break;
                    case NarStreamMessage.KindOneofCase.End:
                        announced = message.End.NarSha256.ToByteArray();
                        Assert.Equal(received, message.End.NarSize);
                        break;
                }
            }
            digest = hash.GetHashAndReset();
        });
        Assert.Equal(sent.Size, received);
        Assert.Equal(sent.Sha256, digest);
        Assert.Equal(sent.Sha256, announced);

        TestContext.Current.SendDiagnosticMessage($"NAR {sent.Size >> 20} MiB: live managed heap grew by at most {upload >> 20} MiB uploading, {fetch >> 20} MiB fetching");
        Assert.True(upload < HeapBudgetBytes, $"uploading {sent.Size >> 20} MiB grew the live heap by {upload >> 20} MiB");
        Assert.True(fetch < HeapBudgetBytes, $"fetching {sent.Size >> 20} MiB grew the live heap by {fetch >> 20} MiB");
        // Streamed: hash and size are not known before the NAR is written, so only end has them.
        Assert.NotNull(begin);
        Assert.Equal(path, begin.Path);
        Assert.True(begin.NarSha256.IsEmpty);
        Assert.Equal(0UL, begin.NarSize);
    }

    [Fact]
    public async Task A_corrupt_truncated_or_cancelled_upload_leaves_its_path_unregistered()
    {
        Assert.SkipWhen(!NixAvailable, "nix is not installed");
        var ct = TestContext.Current.CancellationToken;
        var first = Source("first", 600 * 1024, seed: 1);
        var second = Source("second", 900 * 1024, seed: 2);
        var firstPath = StorePath("first");
        var secondPath = StorePath("second");

        // A byte of the second output's file contents flipped on the way: Nix could parse it, the
        // server's check at its end refuses it. The first output arrived whole and is kept.
        var corrupt = await Assert.ThrowsAsync<RpcException>(() => UploadAsync([(firstPath, first), (secondPath, second)], ct, corrupt: (secondPath, 2, 1000)));
        Assert.True(corrupt.StatusCode == StatusCode.InvalidArgument, corrupt.ToString());
        Assert.Contains(secondPath, corrupt.Status.Detail, StringComparison.Ordinal);
        Assert.Equal([secondPath], await Store.QueryInvalidAsync([firstPath, secondPath], ct));

        // A byte of the NAR's framing flipped: Nix gives up before the end; the call fails all the same.
        var framing = await Assert.ThrowsAsync<RpcException>(() => UploadAsync([(secondPath, second)], ct, corrupt: (secondPath, 0, 20)));
        Assert.NotEqual(StatusCode.OK, framing.StatusCode);
        Assert.Equal([secondPath], await Store.QueryInvalidAsync([secondPath], ct));

        // The stream ends after two chunks, without the output's end.
        var truncated = await Assert.ThrowsAsync<RpcException>(() => UploadAsync([(secondPath, second)], ct, stopAfterChunks: 2));
        Assert.Equal(StatusCode.InvalidArgument, truncated.StatusCode);
        Assert.Contains("ended inside", truncated.Status.Detail, StringComparison.Ordinal);
        Assert.Equal([secondPath], await Store.QueryInvalidAsync([secondPath], ct));

        // The builder cancels the call after two chunks (as it does on OUTPUT_LIMIT).
        using (var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            var cancelled = await Assert.ThrowsAsync<RpcException>(() => UploadAsync([(secondPath, second)], cancel.Token, stopAfterChunks: 2, cancelAtStop: cancel));
            Assert.Equal(StatusCode.Cancelled, cancelled.StatusCode);
        }
        await Task.Delay(500, ct);
        Assert.Equal([secondPath], await Store.QueryInvalidAsync([secondPath], ct));

        // Nothing stuck: the whole upload goes through, and again (a retried upload is accepted).
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var reply = await UploadAsync([(firstPath, first), (secondPath, second)], ct);
            Assert.Equal([firstPath, secondPath], reply.StoredPaths);
        }
        Assert.Empty(await Store.QueryInvalidAsync([firstPath, secondPath], ct));
        Assert.Equal("sha256:" + Nix32.Encode((await NarOfAsync(second)).Sha256), (await NixStoreAsync("--query", "--hash", secondPath)).Trim());
    }

    /// <summary>
    /// Uploads each (store path, file) as the builder does, optionally flipping a byte of one chunk
    /// of one path (the end still carries the true hash), or stopping after some chunks of the
    /// first path: ending the stream there, or cancelling the call.
    /// </summary>
    private async Task<UploadOutputsReply> UploadAsync(IReadOnlyList<(string Path, string Source)> outputs, CancellationToken ct,
        (string Path, int Chunk, int Offset)? corrupt = null, int? stopAfterChunks = null, CancellationTokenSource? cancelAtStop = null)
    {
        using var call = Client.UploadOutputs(cancellationToken: ct);
        await call.RequestStream.WriteAsync(new UploadMessage { Header = new UploadHeader { BuilderId = "test", StepId = "s1" } }, ct);
        foreach (var (path, source) in outputs)
        {
            await call.RequestStream.WriteAsync(new UploadMessage { Begin = new PathInfo { Path = path } }, ct);
            var index = 0;
            var stopped = false;
            var nar = await NarChunkStreamer.StreamAsync(source, ChunkSize, async (chunk, token) =>
            {
                if (stopped)
                {
                    return;
                }
                var bytes = chunk.ToArray();
                if (corrupt is { } c && c.Path == path && c.Chunk == index)
                {
                    bytes[c.Offset] ^= 0x55;
                }
                await call.RequestStream.WriteAsync(new UploadMessage { Chunk = UnsafeByteOperations.UnsafeWrap(bytes) }, token);
                stopped = ++index == stopAfterChunks;
            }, ct);
            if (stopped)
            {
                if (cancelAtStop is not null)
                {
                    await cancelAtStop.CancelAsync();
                    return await call.ResponseAsync;
                }
                break;
            }
            await call.RequestStream.WriteAsync(new UploadMessage { End = new NarEnd { NarSha256 = ByteString.CopyFrom(nar.Sha256), NarSize = nar.Size } }, ct);
        }
        await call.RequestStream.CompleteAsync();
        return await call.ResponseAsync;
    }

    /// <summary>
    /// The most the live managed heap (after a full collection) grew over its size before, sampled
    /// every 50 ms while <paramref name="transfer"/> runs; the server runs in this process.
    /// </summary>
    private static async Task<long> PeakHeapGrowthAsync(Func<Task> transfer)
    {
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false) - baseline);
                await Task.Delay(50, CancellationToken.None);
            }
        }, CancellationToken.None);
        try
        {
            await transfer();
        }
        finally
        {
            await stop.CancelAsync();
            await sampler;
        }
        return peak;
    }

    private string Source(string name, int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        var file = Path.Combine(dir.FullName, name);
        File.WriteAllBytes(file, bytes);
        return file;
    }

    private static Task<NarStreamResult> NarOfAsync(string file) =>
        NarChunkStreamer.StreamAsync(file, ChunkSize, (_, _) => ValueTask.CompletedTask);

    /// <summary>A store path of the server's store with a hash part made from its name (Nix's import does not check it).</summary>
    private string StorePath(string name) =>
        $"{Store.StoreDir}/{Nix32.Encode(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name)).AsSpan(0, 20))}-{name}";

    private async Task<string> NixStoreAsync(params string[] args) => await TestProcesses.RunAsync(StoreRoot, "nix-store", args);

    private bool NixAvailable => database is not null;
}
