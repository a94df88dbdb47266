using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography;

namespace Vigil.Nix.Nar;

/// <summary>
/// Hands the NAR of a path to an asynchronous consumer (a network stream) in chunks of a fixed
/// size while it is being written, hashing it on the way: memory stays bounded by a few chunks
/// whatever the size of the path, and the SHA-256 and size are known once the last chunk is out.
/// </summary>
public static class NarChunkStreamer
{
    /// <summary>
    /// Writes the NAR of <paramref name="realPath"/> (where the tree is on this machine, e.g. in a
    /// chroot store) as chunks of <paramref name="chunkSize"/> bytes (the last one shorter) to
    /// <paramref name="consumeChunk"/>. A chunk's memory is reused once the consumer's task has
    /// completed, so the consumer copies what it keeps. An exception of the consumer (or the
    /// cancellation) stops the NAR writer and is rethrown; a file that cannot be read fails the call.
    /// </summary>
    public static async Task<NarStreamResult> StreamAsync(string realPath, int chunkSize, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> consumeChunk, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(realPath);
        ArgumentNullException.ThrowIfNull(consumeChunk);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkSize);
        // The writer pauses once a few chunks wait unread; NarWriter writes in blocks of its own
        // buffer size, so the pipe holds at most about that plus the pause threshold.
        var pipe = new Pipe(new PipeOptions(
            pauseWriterThreshold: 4L * chunkSize,
            resumeWriterThreshold: 2L * chunkSize,
            minimumSegmentSize: Math.Min(chunkSize, 64 * 1024),
            useSynchronizationContext: false));
        using var stopProducer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // NarWriter is synchronous (it reads files with pread-style calls); it runs on a pool
        // thread and the pipe's back-pressure keeps it at most a few chunks ahead of the consumer.
        var producer = Task.Run(() =>
        {
            try
            {
                using var stream = pipe.Writer.AsStream(leaveOpen: true);
                NarWriter.Write(realPath, stream, stopProducer.Token);
                pipe.Writer.Complete();
            }
            catch (Exception e)
            {
                pipe.Writer.Complete(e);
            }
        }, CancellationToken.None);
        var chunk = ArrayPool<byte>.Shared.Rent(chunkSize);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        ulong size = 0;
        try
        {
            while (true)
            {
                var read = await pipe.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                var data = read.Buffer;
                // Whole chunks only, but for the last one: the pipe's segments are smaller than a
                // chunk and a message per segment would multiply the per-message costs.
                while (data.Length >= chunkSize || (read.IsCompleted && !data.IsEmpty))
                {
                    var length = (int)Math.Min(chunkSize, data.Length);
                    data.Slice(0, length).CopyTo(chunk);
                    hash.AppendData(chunk, 0, length);
                    size += (ulong)length;
                    await consumeChunk(chunk.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                    data = data.Slice(length);
                }
                pipe.Reader.AdvanceTo(data.Start, data.End);
                if (read.IsCompleted)
                {
                    break;
                }
            }
        }
        finally
        {
            await stopProducer.CancelAsync().ConfigureAwait(false);
            await pipe.Reader.CompleteAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(false);
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return new NarStreamResult(hash.GetHashAndReset(), size);
    }
}
