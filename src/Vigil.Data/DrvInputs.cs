using System.Buffers;
using System.Text;

namespace Vigil.Data;

/// <summary>
/// The <c>drvs.inputs</c> blob: a derivation's inputs in order, each either the id of a stored
/// derivation (LEB128, ids start at 1) or, for an input that had no row when the derivation was
/// written, a 0 byte, the LEB128 length and the UTF-8 path. Ids are 2–3 bytes where a path is
/// about 70, so a nixpkgs-sized graph is a few MB and loads by id without any text matching.
/// </summary>
internal static class DrvInputs
{
    public static byte[] Encode(ReadOnlySpan<long> ids, IReadOnlyList<string> paths)
    {
        var buffer = new ArrayBufferWriter<byte>(ids.Length * 3 + 8);
        foreach (var id in ids)
        {
            AddId(buffer, id);
        }
        foreach (var path in paths)
        {
            AddPath(buffer, path);
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static void AddId(ArrayBufferWriter<byte> buffer, long id)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(id, 1);
        WriteVarint(buffer, (ulong)id);
    }

    public static void AddPath(ArrayBufferWriter<byte> buffer, string path)
    {
        buffer.GetSpan(1)[0] = 0;
        buffer.Advance(1);
        var length = Encoding.UTF8.GetByteCount(path);
        WriteVarint(buffer, (ulong)length);
        buffer.Advance(Encoding.UTF8.GetBytes(path, buffer.GetSpan(length)));
    }

    /// <summary>Visits the entries in order: <paramref name="onId"/> for an id, <paramref name="onPath"/> for a path.</summary>
    public static void Decode(ReadOnlySpan<byte> blob, Action<long> onId, Action<string> onPath)
    {
        var at = 0;
        while (at < blob.Length)
        {
            if (blob[at] != 0)
            {
                onId((long)ReadVarint(blob, ref at));
                continue;
            }
            at++;
            var length = ReadVarint(blob, ref at);
            if (length > (ulong)(blob.Length - at))
            {
                throw new InvalidDataException("stored derivation inputs end inside a path");
            }
            onPath(Encoding.UTF8.GetString(blob.Slice(at, (int)length)));
            at += (int)length;
        }
    }

    /// <summary>The ids and the paths of a blob, each in order.</summary>
    public static (long[] Ids, string[] Paths) Split(ReadOnlySpan<byte> blob)
    {
        // The common case, ids only, without a list: count them, then fill.
        var count = 0;
        var plain = true;
        foreach (var b in blob)
        {
            if (b == 0)
            {
                plain = false;
                break;
            }
            if (b < 0x80)
            {
                count++;
            }
        }
        if (plain)
        {
            var ids = new long[count];
            var at = 0;
            for (var i = 0; i < ids.Length; i++)
            {
                ids[i] = (long)ReadVarint(blob, ref at);
            }
            if (at != blob.Length)
            {
                throw new InvalidDataException("stored derivation inputs end inside an id");
            }
            return (ids, []);
        }
        var idList = new List<long>();
        var pathList = new List<string>();
        Decode(blob, idList.Add, pathList.Add);
        return ([.. idList], [.. pathList]);
    }

    private static void WriteVarint(ArrayBufferWriter<byte> buffer, ulong value)
    {
        var span = buffer.GetSpan(10);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[n++] = (byte)value;
        buffer.Advance(n);
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> blob, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (at >= blob.Length)
            {
                throw new InvalidDataException("stored derivation inputs end inside an id");
            }
            var b = blob[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
        throw new InvalidDataException("stored derivation input id is too long");
    }
}
