using System.Buffers.Binary;
using System.Buffers;
using System.Runtime.CompilerServices;

namespace Vigil.Nix.Nar;

/// <summary>
/// Writes NAR bytes from <see cref="INarVisitor"/> events, byte-identical to <c>nix-store --dump</c>
/// for the same tree. The event order is trusted (names sorted, one node per entry), as
/// <see cref="NarReader"/> and <see cref="NarWriter"/> produce it; a file's contents must add up to
/// the size announced, since a NAR with a wrong size would be unreadable.
/// </summary>
/// <remarks>AggressiveOptimization on the per-file and per-chunk methods: see <see cref="NarWriter"/>.</remarks>
public sealed class NarEncoder : INarVisitor
{
    private readonly IBufferWriter<byte> _output;
    private bool _started;
    private long _size;
    private long _remaining;

    public NarEncoder(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void BeginRegular(bool executable, long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        var length = Prefix() + NarTokens.EncodedRegular.Length + (executable ? NarTokens.EncodedExecutable.Length : 0) + NarTokens.EncodedContents.Length + 8;
        var span = _output.GetSpan(length);
        var at = WritePrefix(span);
        at += Copy(NarTokens.EncodedRegular, span[at..]);
        if (executable)
        {
            at += Copy(NarTokens.EncodedExecutable, span[at..]);
        }
        at += Copy(NarTokens.EncodedContents, span[at..]);
        BinaryPrimitives.WriteUInt64LittleEndian(span[at..], (ulong)size);
        _output.Advance(at + 8);
        _size = size;
        _remaining = size;
    }

    public void RegularContents(ReadOnlySpan<byte> chunk)
    {
        if (chunk.Length > _remaining)
        {
            throw new InvalidOperationException($"file contents exceed the announced size of {_size} bytes");
        }
        _output.Write(chunk);
        _remaining -= chunk.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void EndRegular()
    {
        if (_remaining != 0)
        {
            throw new InvalidOperationException($"file contents are {_remaining} bytes short of the announced size of {_size} bytes");
        }
        var padding = NarTokens.Padding((ulong)_size);
        var span = _output.GetSpan(padding + NarTokens.EncodedClose.Length);
        span[..padding].Clear();
        NarTokens.EncodedClose.CopyTo(span[padding..]);
        _output.Advance(padding + NarTokens.EncodedClose.Length);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Symlink(ReadOnlySpan<byte> target)
    {
        var span = _output.GetSpan(Prefix() + NarTokens.EncodedSymlink.Length + NarTokens.EncodedLength(target.Length) + NarTokens.EncodedClose.Length);
        var at = WritePrefix(span);
        at += Copy(NarTokens.EncodedSymlink, span[at..]);
        at += NarTokens.WriteString(span[at..], target);
        at += Copy(NarTokens.EncodedClose, span[at..]);
        _output.Advance(at);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void BeginDirectory()
    {
        var span = _output.GetSpan(Prefix() + NarTokens.EncodedDirectory.Length);
        var at = WritePrefix(span);
        at += Copy(NarTokens.EncodedDirectory, span[at..]);
        _output.Advance(at);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void BeginEntry(ReadOnlySpan<byte> name)
    {
        var span = _output.GetSpan(NarTokens.EncodedEntry.Length + NarTokens.EncodedLength(name.Length) + NarTokens.EncodedNode.Length);
        var at = Copy(NarTokens.EncodedEntry, span);
        at += NarTokens.WriteString(span[at..], name);
        at += Copy(NarTokens.EncodedNode, span[at..]);
        _output.Advance(at);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void EndEntry() => _output.Write(NarTokens.EncodedClose);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void EndDirectory() => _output.Write(NarTokens.EncodedClose);

    /// <summary>
    /// Room for the current file's next contents, straight in the output: <see cref="NarWriter"/>
    /// reads file data into it, saving a copy. At most the bytes still owed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal Span<byte> GetContentsSpan(int sizeHint)
    {
        var span = _output.GetSpan(sizeHint);
        return span.Length > _remaining ? span[..(int)_remaining] : span;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void AdvanceContents(int count)
    {
        _output.Advance(count);
        _remaining -= count;
    }

    internal long RemainingContents => _remaining;

    private int Prefix() => _started ? 0 : NarTokens.EncodedMagic.Length;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int WritePrefix(Span<byte> span)
    {
        if (_started)
        {
            return 0;
        }
        _started = true;
        return Copy(NarTokens.EncodedMagic, span);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Copy(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        source.CopyTo(destination);
        return source.Length;
    }
}
