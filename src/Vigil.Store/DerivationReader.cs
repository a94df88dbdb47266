using System.Buffers;
using System.Security.Cryptography;
using System.Runtime.CompilerServices;
using Vigil.Nix;
using Vigil.Nix.Derivations;

namespace Vigil.Store;

/// <summary>Reads <c>.drv</c> files from a local store directory.</summary>
public sealed class DerivationReader
{
    public DerivationReader(StoreLocation location) => Location = location;

    public StoreLocation Location { get; }

    public Derivation Read(string drvPath) => Load(drvPath, check: false).Derivation;

    /// <summary>Reads and parses one derivation; with <paramref name="check"/> also re-serialises it to compare bytes.</summary>
    public LoadedDerivation Load(string drvPath, bool check) => Load(drvPath, ReadFile(drvPath), check);

    /// <summary>As <see cref="Load(string, bool)"/>, from the file's bytes already read by <see cref="ReadFile"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public LoadedDerivation Load(string drvPath, ReadOnlySpan<byte> bytes, bool check)
    {
        var drv = Parse(drvPath, bytes);
        var canonical = true;
        if (check)
        {
            var buffer = new ArrayBufferWriter<byte>(bytes.Length + 16);
            ATermWriter.Write(drv, buffer);
            canonical = buffer.WrittenSpan.SequenceEqual(bytes);
        }
        return new LoadedDerivation(drvPath, drv, check ? SHA256.HashData(bytes) : [], canonical);
    }

    /// <summary>The bytes of a derivation file, unparsed.</summary>
    public byte[] ReadFile(string drvPath)
    {
        var realPath = RealPath(drvPath);
        try
        {
            return File.ReadAllBytes(realPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreException(drvPath, $"cannot read derivation '{drvPath}' ({realPath}): {e.Message}", e);
        }
    }

    /// <summary>As <see cref="ReadFile(string)"/>, into memory taken from <paramref name="arena"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ReadOnlyMemory<byte> ReadFile(string drvPath, ByteArena arena)
    {
        ArgumentNullException.ThrowIfNull(arena);
        var realPath = RealPath(drvPath);
        try
        {
            using var handle = File.OpenHandle(realPath);
            var length = RandomAccess.GetLength(handle);
            if (length > ATermReader.MaxSize)
            {
                throw new StoreException(drvPath, $"derivation '{drvPath}' is {length} bytes, more than the {ATermReader.MaxSize}-byte limit");
            }
            var memory = arena.Allocate((int)length);
            var read = 0;
            while (read < memory.Length)
            {
                var n = RandomAccess.Read(handle, memory.Span[read..], read);
                if (n == 0)
                {
                    break;
                }
                read += n;
            }
            return memory[..read];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreException(drvPath, $"cannot read derivation '{drvPath}' ({realPath}): {e.Message}", e);
        }
    }

    /// <summary>
    /// As <see cref="ReadFile(string)"/>, into <paramref name="buffer"/> (replaced by a bigger one when
    /// the file does not fit), for a walk that parses each file at once and keeps nothing of its bytes.
    /// </summary>
    /// <returns>The number of bytes read.</returns>
    public int ReadFile(string drvPath, ref byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        var realPath = RealPath(drvPath);
        try
        {
            using var handle = File.OpenHandle(realPath);
            // No length asked first (one more system call per file): read until a read comes back short,
            // which for a regular file means its end (most files fit the buffer at once).
            var read = 0;
            while (true)
            {
                if (read == buffer.Length)
                {
                    if (read >= ATermReader.MaxSize)
                    {
                        throw new StoreException(drvPath, $"derivation '{drvPath}' is more than the {ATermReader.MaxSize}-byte limit");
                    }
                    Array.Resize(ref buffer, (int)Math.Min(2L * Math.Max(buffer.Length, 4096), ATermReader.MaxSize + 1L));
                }
                var n = RandomAccess.Read(handle, buffer.AsSpan(read), read);
                read += n;
                if (read < buffer.Length)
                {
                    return read;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreException(drvPath, $"cannot read derivation '{drvPath}' ({realPath}): {e.Message}", e);
        }
    }

    /// <summary>Parses the bytes of the derivation file at <paramref name="drvPath"/> (which gives its name).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Derivation Parse(string drvPath, ReadOnlySpan<byte> bytes)
    {
        string name;
        try
        {
            name = ATermReader.NameFromPath(drvPath);
        }
        catch (NixFormatException e)
        {
            throw new StoreException(drvPath, $"'{drvPath}' is not a derivation path: {e.Reason}", e);
        }
        try
        {
            return ATermReader.Parse(bytes, name, Location.StoreDir);
        }
        catch (NixFormatException e)
        {
            throw new StoreException(drvPath, $"derivation '{drvPath}' is malformed: {e.Message}", e);
        }
    }

    private string RealPath(string drvPath)
    {
        try
        {
            ATermReader.NameFromPath(drvPath);
            return Location.RealPath(drvPath);
        }
        catch (NixFormatException e)
        {
            throw new StoreException(drvPath, $"'{drvPath}' is not a derivation path: {e.Reason}", e);
        }
    }
}
