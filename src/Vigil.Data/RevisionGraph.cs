using System.Text;

namespace Vigil.Data;

/// <summary>
/// The derivation graph of a scanned revision's closure, stored with the revision as one blob
/// (<c>revision_graphs</c>): every derivation's path, whether it is an FOD, and its input
/// derivations as node numbers. Derivations are immutable, so the graph of the last revision stands
/// in for the <c>.drv</c> files of every derivation it holds: a rescan reads only the files it
/// lacks. Kept as one blob because a rescan needs all of it at once: on the 41k-drv bench set,
/// loading the 34,727 known derivations as rows by id, level by level, took 0.2 s, and decoding the
/// blob and taking the known closure from it takes 55 ms.
/// Only derivations whose whole closure was read are in it, so a node's inputs are always complete.
/// </summary>
/// <remarks>
/// Blob format, version 1: the byte 1, LEB128 node count, then per node the LEB128 UTF-8 length and
/// the path, then per node a flags byte (1 = FOD), the LEB128 input count and each input's node
/// number (LEB128, below the node count).
/// </remarks>
public sealed class RevisionGraph
{
    private const byte FormatVersion = 1;
    private const byte FodFlag = 1;

    private readonly string[] _paths;
    private readonly bool[] _isFod;
    private readonly int[] _inputStart;
    private readonly int[] _inputs;
    private Dictionary<string, int>? _index;

    /// <param name="inputStart">Where each node's inputs begin in <paramref name="inputs"/>; one entry more than there are nodes.</param>
    public RevisionGraph(string[] paths, bool[] isFod, int[] inputStart, int[] inputs)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(isFod);
        ArgumentNullException.ThrowIfNull(inputStart);
        ArgumentNullException.ThrowIfNull(inputs);
        if (isFod.Length != paths.Length || inputStart.Length != paths.Length + 1 || inputStart[0] != 0 || inputStart[^1] != inputs.Length)
        {
            throw new ArgumentException("node arrays disagree on the node count or the input count");
        }
        for (var n = 0; n < paths.Length; n++)
        {
            if (inputStart[n + 1] < inputStart[n])
            {
                throw new ArgumentException($"node {n}'s inputs end before they begin", nameof(inputStart));
            }
        }
        foreach (var input in inputs)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(input);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(input, paths.Length);
        }
        _paths = paths;
        _isFod = isFod;
        _inputStart = inputStart;
        _inputs = inputs;
    }

    public int Count => _paths.Length;

    public string Path(int node) => _paths[node];

    public bool IsFod(int node) => _isFod[node];

    public ReadOnlySpan<int> Inputs(int node) => _inputs.AsSpan(_inputStart[node], _inputStart[node + 1] - _inputStart[node]);

    /// <summary>The node of a derivation path; built on first use.</summary>
    public bool TryFind(string drvPath, out int node)
    {
        if (_index is null)
        {
            var index = new Dictionary<string, int>(_paths.Length, StringComparer.Ordinal);
            for (var n = 0; n < _paths.Length; n++)
            {
                index.TryAdd(_paths[n], n);
            }
            _index = index;
        }
        return _index.TryGetValue(drvPath, out node);
    }

    public byte[] Encode()
    {
        // Sized exactly first: the blob is megabytes, and a growing buffer would allocate it (on the
        // large-object heap, whose growth triggers full collections) several times over.
        var lengths = new int[_paths.Length];
        long size = 1 + VarintLength((ulong)_paths.Length);
        for (var n = 0; n < _paths.Length; n++)
        {
            lengths[n] = Encoding.UTF8.GetByteCount(_paths[n]);
            size += VarintLength((ulong)lengths[n]) + lengths[n] + 1 + VarintLength((ulong)Inputs(n).Length);
            foreach (var input in Inputs(n))
            {
                size += VarintLength((ulong)input);
            }
        }
        var blob = new byte[size];
        var at = 0;
        blob[at++] = FormatVersion;
        WriteVarint(blob, ref at, (ulong)_paths.Length);
        for (var n = 0; n < _paths.Length; n++)
        {
            WriteVarint(blob, ref at, (ulong)lengths[n]);
            at += Encoding.UTF8.GetBytes(_paths[n], blob.AsSpan(at, lengths[n]));
        }
        for (var n = 0; n < _paths.Length; n++)
        {
            blob[at++] = _isFod[n] ? FodFlag : (byte)0;
            var inputs = Inputs(n);
            WriteVarint(blob, ref at, (ulong)inputs.Length);
            foreach (var input in inputs)
            {
                WriteVarint(blob, ref at, (ulong)input);
            }
        }
        return blob;
    }

    /// <exception cref="InvalidDataException">The blob is not a graph of this format.</exception>
    public static RevisionGraph Decode(ReadOnlySpan<byte> blob)
    {
        if (blob.IsEmpty || blob[0] != FormatVersion)
        {
            throw new InvalidDataException(blob.IsEmpty ? "empty revision graph" : $"revision graph format {blob[0]} is not one this version reads (1)");
        }
        var at = 1;
        // Every node takes at least 3 bytes (path length, flags, input count): a count beyond that is corrupt, not a reason to allocate.
        var count = ReadCount(blob, ref at, (blob.Length - at) / 3, "node count");
        var paths = new string[count];
        for (var n = 0; n < count; n++)
        {
            var length = ReadCount(blob, ref at, blob.Length - at, "path length");
            paths[n] = length <= blob.Length - at ? Encoding.UTF8.GetString(blob.Slice(at, length)) : throw new InvalidDataException("revision graph ends inside a path");
            at += length;
        }
        var isFod = new bool[count];
        var inputStart = new int[count + 1];
        var inputs = new List<int>(count * 4);
        for (var n = 0; n < count; n++)
        {
            if (at >= blob.Length)
            {
                throw new InvalidDataException("revision graph ends inside its nodes");
            }
            var flags = blob[at++];
            if ((flags & ~FodFlag) != 0)
            {
                throw new InvalidDataException($"revision graph node {n} has unknown flags {flags}");
            }
            isFod[n] = flags == FodFlag;
            var inputCount = ReadCount(blob, ref at, blob.Length - at, "input count");
            for (var i = 0; i < inputCount; i++)
            {
                inputs.Add(ReadCount(blob, ref at, count - 1, "input node"));
            }
            inputStart[n + 1] = inputs.Count;
        }
        if (at != blob.Length)
        {
            throw new InvalidDataException($"revision graph has {blob.Length - at} bytes after its last node");
        }
        return new RevisionGraph(paths, isFod, inputStart, inputs.ToArray());
    }

    private static int VarintLength(ulong value)
    {
        var length = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            length++;
        }
        return length;
    }

    private static void WriteVarint(byte[] blob, ref int at, ulong value)
    {
        while (value >= 0x80)
        {
            blob[at++] = (byte)(value | 0x80);
            value >>= 7;
        }
        blob[at++] = (byte)value;
    }

    private static int ReadCount(ReadOnlySpan<byte> blob, ref int at, int max, string what)
    {
        ulong value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (at >= blob.Length)
            {
                throw new InvalidDataException($"revision graph ends inside a {what}");
            }
            var b = blob[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                if (value > (ulong)Math.Max(max, 0))
                {
                    throw new InvalidDataException($"revision graph {what} {value} is out of range (at most {max})");
                }
                return (int)value;
            }
        }
        throw new InvalidDataException($"revision graph {what} is too long");
    }
}
