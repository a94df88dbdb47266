namespace Vigil.Store;

/// <summary>
/// Hands out slices of large shared chunks for byte data that lives as long as the arena: tens of
/// thousands of small <c>.drv</c> files kept for a second pass. Chunks go straight to the large
/// object heap, so the garbage collector neither copies them between generations nor tracks one
/// object per file. Not thread-safe: give each thread its own.
/// </summary>
public sealed class ByteArena
{
    private const int ChunkSize = 1 << 20;

    private byte[] _chunk = [];
    private int _used;

    public Memory<byte> Allocate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length > ChunkSize / 4)
        {
            return new byte[length];
        }
        if (_chunk.Length - _used < length)
        {
            _chunk = GC.AllocateUninitializedArray<byte>(ChunkSize);
            _used = 0;
        }
        var slice = _chunk.AsMemory(_used, length);
        _used += length;
        return slice;
    }
}
