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

    /// <summary>
    /// As <see cref="ReadFile(string)"/>, into <paramref name="buffer"/> (replaced by a bigger one
    /// when the file does not fit): for passes that are done with one file before reading the next.
    /// </summary>
    public ReadOnlySpan<byte> ReadFile(string drvPath, ref byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        var current = buffer;
        var bytes = ReadFile(drvPath, length =>
        {
            if (current.Length < length)
            {
                current = new byte[Math.Max(length, current.Length * 2L)];
            }
            return current.AsMemory(0, length);
        });
        buffer = current;
        return bytes.Span;
    }

    /// <summary>Reads the whole file into the memory <paramref name="destination"/> gives for its length.</summary>
    private ReadOnlyMemory<byte> ReadFile(string drvPath, Func<int, Memory<byte>> destination)
    {
        var realPath = RealPath(drvPath);
        try
        {
            using var handle = File.OpenHandle(realPath);
            var length = RandomAccess.GetLength(handle);
            if (length > ATermReader.MaxSize)
            {
                throw new StoreException(drvPath, $"derivation '{drvPath}' is {length} bytes, more than the {ATermReader.MaxSize}-byte limit");
            }
            var memory = destination((int)length);
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
