using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using Vigil.Nix.Hashing;

namespace Vigil.Nix.Nar;

/// <summary>
/// Feeds bytes to an incremental hash in large chunks. When <c>pipelined</c>, hashing moves to a
/// second thread as soon as the first buffer fills, so reading the next chunk from the file system
/// overlaps hashing the previous one (a big tree then hashes at the speed of the hash alone); small
/// inputs never start that thread.
/// </summary>
internal sealed class HashOutput : ChunkedOutput
{
    private const int PipelineBuffers = 2;

    private readonly IncrementalHash _hash;
    private readonly bool _pipelined;
    private readonly int _bufferSize;
    private BlockingCollection<(byte[] Buffer, int Count)>? _full;
    private BlockingCollection<byte[]>? _free;
    private Task? _hasher;

    public HashOutput(HashAlgorithmKind algorithm, int bufferSize, bool pipelined = false)
        : base(bufferSize)
    {
        Algorithm = algorithm;
        _hash = HashAlgorithms.CreateIncremental(algorithm);
        _pipelined = pipelined;
        _bufferSize = bufferSize;
    }

    public HashAlgorithmKind Algorithm { get; }

    /// <summary>The digest of everything written since the last call; the output is then ready for the next input.</summary>
    public NixHash GetHashAndReset()
    {
        Flush();
        Drain();
        Span<byte> digest = stackalloc byte[64];
        var written = _hash.GetHashAndReset(digest);
        return new NixHash(Algorithm, digest[..written]);
    }

    /// <summary>Drops a half-hashed input, e.g. after an I/O error, so the output can be reused.</summary>
    public void Reset()
    {
        DiscardBuffered();
        Drain();
        Span<byte> digest = stackalloc byte[64];
        _hash.GetHashAndReset(digest);
    }

    protected override byte[] Hand(byte[] buffer, int count)
    {
        if (!_pipelined)
        {
            return base.Hand(buffer, count);
        }
        if (_hasher is null)
        {
            _full = new BlockingCollection<(byte[], int)>(PipelineBuffers);
            _free = new BlockingCollection<byte[]>();
            for (var i = 0; i < PipelineBuffers; i++)
            {
                _free.Add(ArrayPool<byte>.Shared.Rent(_bufferSize));
            }
            var full = _full;
            var free = _free;
            _hasher = Task.Factory.StartNew(
                () =>
                {
                    // After a failure keep recycling buffers, so the producer never blocks; Drain rethrows.
                    Exception? failure = null;
                    foreach (var (b, c) in full.GetConsumingEnumerable())
                    {
                        if (failure is null)
                        {
                            try
                            {
                                _hash.AppendData(b.AsSpan(0, c));
                            }
                            catch (CryptographicException e)
                            {
                                failure = e;
                            }
                        }
                        free.Add(b);
                    }
                    if (failure is not null)
                    {
                        ExceptionDispatchInfo.Throw(failure);
                    }
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
        }
        _full!.Add((buffer, count));
        return _free!.Take();
    }

    protected override void Consume(ReadOnlySpan<byte> data) => _hash.AppendData(data);

    /// <summary>Waits until the hashing thread has taken in every handed buffer, then stops it.</summary>
    private void Drain()
    {
        if (_hasher is null)
        {
            return;
        }
        _full!.CompleteAdding();
        try
        {
            _hasher.Wait();
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        finally
        {
            while (_free!.TryTake(out var b))
            {
                ArrayPool<byte>.Shared.Return(b);
            }
            _full.Dispose();
            _free.Dispose();
            _hasher = null;
            _full = null;
            _free = null;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Drain();
            _hash.Dispose();
        }
        base.Dispose(disposing);
    }
}
