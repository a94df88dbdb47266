using System.Buffers;
using System.Runtime.CompilerServices;

namespace Vigil.Nix.Nar;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over one pooled buffer that hands its contents on in large
/// chunks. File contents are read straight into the free part of the buffer, so every byte is
/// copied once (kernel to buffer) and consumed (hashed or written) in big spans.
/// </summary>
/// <remarks>AggressiveOptimization on the per-file and per-chunk methods: see <see cref="NarWriter"/>.</remarks>
internal abstract class ChunkedOutput : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;
    private int _count;

    protected ChunkedOutput(int bufferSize) => _buffer = ArrayPool<byte>.Shared.Rent(bufferSize);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Advance(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _count))
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }
        _count += count;
    }

    /// <summary>At least <paramref name="sizeHint"/> bytes, usually the whole free rest of the buffer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        // Reserve first: it may swap the buffer.
        var at = Reserve(sizeHint);
        return _buffer.AsSpan(at);
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        var at = Reserve(sizeHint);
        return _buffer.AsMemory(at);
    }

    /// <summary>Passes everything written so far on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Flush()
    {
        if (_count > 0)
        {
            _buffer = Hand(_buffer, _count);
            _count = 0;
        }
    }

    /// <summary>
    /// Passes a full buffer on and returns the buffer to fill next: the same one once consumed, or
    /// another when a subclass consumes on a second thread.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected virtual byte[] Hand(byte[] buffer, int count)
    {
        Consume(buffer.AsSpan(0, count));
        return buffer;
    }

    protected abstract void Consume(ReadOnlySpan<byte> data);

    /// <summary>Forgets what was written but not yet consumed (after a failed input).</summary>
    protected void DiscardBuffered() => _count = 0;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Reserve(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _count < needed)
        {
            Flush();
            if (_buffer.Length < needed)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = ArrayPool<byte>.Shared.Rent(needed);
            }
        }
        return _count;
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing && _buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
            _count = 0;
        }
    }
}
