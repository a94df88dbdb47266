using System.Buffers;
using System.Runtime.CompilerServices;
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
/// <remarks>AggressiveOptimization on the per-file and per-chunk methods: see <see cref="NarWriter"/>.</remarks>
internal sealed class HashOutput : ChunkedOutput
{
    private readonly IncrementalHash _hash;
    private readonly bool _pipelined;
    private readonly int _bufferSize;
    private Pipeline? _pipeline;

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
        StopPipeline();
        Span<byte> digest = stackalloc byte[64];
        var written = _hash.GetHashAndReset(digest);
        return new NixHash(Algorithm, digest[..written]);
    }

    /// <summary>Drops a half-hashed input, e.g. after an I/O error, so the output can be reused.</summary>
    public void Reset()
    {
        DiscardBuffered();
        StopPipeline();
        Span<byte> digest = stackalloc byte[64];
        _hash.GetHashAndReset(digest);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override byte[] Hand(byte[] buffer, int count)
    {
        if (!_pipelined)
        {
            return base.Hand(buffer, count);
        }
        _pipeline ??= new Pipeline(_hash, _bufferSize);
        return _pipeline.Exchange(buffer, count);
    }

    protected override void Consume(ReadOnlySpan<byte> data) => _hash.AppendData(data);

    private void StopPipeline()
    {
        var pipeline = _pipeline;
        _pipeline = null;
        pipeline?.Stop();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            StopPipeline();
            _hash.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>
    /// A hashing thread and a small set of buffers passed back and forth. Hand-offs block on a
    /// monitor rather than spinning: the reader is faster than the hash and waits at every buffer,
    /// and spinning there would burn the CPU the hash needs on a busy machine.
    /// </summary>
    private sealed class Pipeline
    {
        private const int SpareBuffers = 2;

        private readonly object _gate = new();
        private readonly Queue<(byte[] Buffer, int Count)> _full = new();
        private readonly Stack<byte[]> _free = new();
        private readonly IncrementalHash _hash;
        private readonly Thread _thread;
        private bool _completed;
        private Exception? _failure;

        public Pipeline(IncrementalHash hash, int bufferSize)
        {
            _hash = hash;
            for (var i = 0; i < SpareBuffers; i++)
            {
                _free.Push(ArrayPool<byte>.Shared.Rent(bufferSize));
            }
            _thread = new Thread(Run) { IsBackground = true, Name = "NAR hash" };
            _thread.Start();
        }

        /// <summary>Queues a full buffer for hashing and returns an empty one, waiting for it if need be.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public byte[] Exchange(byte[] full, int count)
        {
            lock (_gate)
            {
                _full.Enqueue((full, count));
                Monitor.PulseAll(_gate);
                while (_free.Count == 0)
                {
                    Monitor.Wait(_gate);
                }
                return _free.Pop();
            }
        }

        /// <summary>Waits until every queued buffer is hashed, ends the thread, returns the spare buffers.</summary>
        public void Stop()
        {
            lock (_gate)
            {
                _completed = true;
                Monitor.PulseAll(_gate);
            }
            _thread.Join();
            while (_free.TryPop(out var buffer))
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            if (_failure is not null)
            {
                ExceptionDispatchInfo.Throw(_failure);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Run()
        {
            while (true)
            {
                (byte[] Buffer, int Count) item;
                lock (_gate)
                {
                    while (_full.Count == 0 && !_completed)
                    {
                        Monitor.Wait(_gate);
                    }
                    if (!_full.TryDequeue(out item))
                    {
                        return;
                    }
                }
                // After a failure keep recycling buffers, so the reader never waits forever; Stop rethrows.
                if (_failure is null)
                {
                    try
                    {
                        _hash.AppendData(item.Buffer.AsSpan(0, item.Count));
                    }
                    catch (CryptographicException e)
                    {
                        _failure = e;
                    }
                }
                lock (_gate)
                {
                    _free.Push(item.Buffer);
                    Monitor.PulseAll(_gate);
                }
            }
        }
    }
}
