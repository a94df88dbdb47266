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
/// Blob format, version 1 (whole): the byte 1, LEB128 node count, then per node the LEB128 UTF-8
/// length and the path, then per node a flags byte (1 = FOD), the LEB128 input count and each
/// input's node number (LEB128, below the node count).
/// Version 2 (the difference from a base graph, <see cref="EncodeDifference"/>): the byte 2, the
/// LEB128 base node count, the LEB128 count of base nodes removed and, ascending, each one's number
/// as the LEB128 gap after the previous one, then the added nodes as in version 1 (count, paths,
/// flags and inputs), their inputs numbered as base nodes below the base count and as added nodes
/// from it.
/// </remarks>
public sealed class RevisionGraph
{
    private const byte FormatVersion = 1;
    private const byte DifferenceFormat = 2;
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
        var all = Enumerable.Range(0, _paths.Length).ToArray();
        var header = 1 + VarintLength((ulong)_paths.Length);
        var (blob, at) = AllocateNodes(all, header, static input => input);
        blob[0] = FormatVersion;
        var position = 1;
        WriteVarint(blob, ref position, (ulong)_paths.Length);
        WriteNodes(blob, at, all, static input => input);
        return blob;
    }

    /// <summary>
    /// This graph as the difference from <paramref name="base"/> (format 2): the base's nodes it
    /// lacks and the nodes it adds. Null when it adds more than <paramref name="maxAdded"/> nodes
    /// (a removed node costs a number, an added one its path and inputs), or when a node shares a path with a base node but not its flags and inputs (then the graphs are
    /// not two views of the same immutable derivations, and only the whole graph says what this one is).
    /// Decoding it against the same base gives this graph with its nodes renumbered: the base's nodes
    /// kept, in the base's order, then the added ones in this graph's order.
    /// </summary>
    public byte[]? EncodeDifference(RevisionGraph @base, int maxAdded)
    {
        ArgumentNullException.ThrowIfNull(@base);
        var inBase = new int[_paths.Length];
        var kept = new bool[@base.Count];
        var added = new List<int>();
        for (var n = 0; n < _paths.Length; n++)
        {
            if (@base.TryFind(_paths[n], out var b) && !kept[b])
            {
                kept[b] = true;
                inBase[n] = b;
            }
            else
            {
                inBase[n] = -1;
                added.Add(n);
                if (added.Count > maxAdded)
                {
                    return null;
                }
            }
        }
        var removed = new List<int>();
        for (var b = 0; b < kept.Length; b++)
        {
            if (!kept[b])
            {
                removed.Add(b);
            }
        }
        for (var n = 0; n < _paths.Length; n++)
        {
            if (inBase[n] >= 0 && !SameNode(n, @base, inBase[n], inBase))
            {
                return null;
            }
        }
        // An added node's input is a base node by its number there, or an added one after them.
        var addedAt = new int[_paths.Length];
        for (var i = 0; i < added.Count; i++)
        {
            addedAt[added[i]] = @base.Count + i;
        }
        int Extended(int input) => inBase[input] >= 0 ? inBase[input] : addedAt[input];
        long header = 1 + VarintLength((ulong)@base.Count) + VarintLength((ulong)removed.Count) + VarintLength((ulong)added.Count);
        var previous = -1;
        foreach (var b in removed)
        {
            header += VarintLength((ulong)(b - previous - 1));
            previous = b;
        }
        var (blob, at) = AllocateNodes(added, header, Extended);
        var position = 0;
        blob[position++] = DifferenceFormat;
        WriteVarint(blob, ref position, (ulong)@base.Count);
        WriteVarint(blob, ref position, (ulong)removed.Count);
        previous = -1;
        foreach (var b in removed)
        {
            WriteVarint(blob, ref position, (ulong)(b - previous - 1));
            previous = b;
        }
        WriteVarint(blob, ref position, (ulong)added.Count);
        WriteNodes(blob, at, added, Extended);
        return blob;
    }

    /// <summary>Whether node <paramref name="n"/> is base node <paramref name="b"/>: the same flags, and inputs that are the same base nodes.</summary>
    private bool SameNode(int n, RevisionGraph @base, int b, int[] inBase)
    {
        var mine = Inputs(n);
        var theirs = @base.Inputs(b);
        if (_isFod[n] != @base.IsFod(b) || mine.Length != theirs.Length)
        {
            return false;
        }
        for (var i = 0; i < mine.Length; i++)
        {
            if (inBase[mine[i]] != theirs[i])
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// A blob sized exactly for <paramref name="header"/> bytes and then the nodes: the blob is
    /// megabytes, and a growing buffer would allocate it (on the large-object heap, whose growth
    /// triggers full collections) several times over. Returns where the nodes begin.
    /// </summary>
    private (byte[] Blob, int NodesAt) AllocateNodes(IReadOnlyList<int> nodes, long header, Func<int, int> number)
    {
        var size = header;
        foreach (var n in nodes)
        {
            var length = Encoding.UTF8.GetByteCount(_paths[n]);
            size += VarintLength((ulong)length) + length + 1 + VarintLength((ulong)Inputs(n).Length);
            foreach (var input in Inputs(n))
            {
                size += VarintLength((ulong)number(input));
            }
        }
        return (new byte[size], (int)header);
    }

    /// <summary>The nodes' paths, then each one's flags and inputs (numbered by <paramref name="number"/>), from <paramref name="at"/> to the blob's end.</summary>
    private void WriteNodes(byte[] blob, int at, IReadOnlyList<int> nodes, Func<int, int> number)
    {
        foreach (var n in nodes)
        {
            var length = Encoding.UTF8.GetByteCount(_paths[n]);
            WriteVarint(blob, ref at, (ulong)length);
            at += Encoding.UTF8.GetBytes(_paths[n], blob.AsSpan(at, length));
        }
        foreach (var n in nodes)
        {
            blob[at++] = _isFod[n] ? FodFlag : (byte)0;
            var inputs = Inputs(n);
            WriteVarint(blob, ref at, (ulong)inputs.Length);
            foreach (var input in inputs)
            {
                WriteVarint(blob, ref at, (ulong)number(input));
            }
        }
    }

    /// <param name="base">The graph a difference (format 2) was made against; must be null for a whole graph.</param>
    /// <exception cref="InvalidDataException">The blob is not a graph of these formats, or not a difference from this base.</exception>
    public static RevisionGraph Decode(ReadOnlySpan<byte> blob, RevisionGraph? @base = null)
    {
        if (blob.IsEmpty || (blob[0] != FormatVersion && blob[0] != DifferenceFormat))
        {
            throw new InvalidDataException(blob.IsEmpty ? "empty revision graph" : $"revision graph format {blob[0]} is not one this version reads (1 or 2)");
        }
        var at = 1;
        if (blob[0] == FormatVersion)
        {
            if (@base is not null)
            {
                throw new InvalidDataException("a whole revision graph (format 1) is stored with a base");
            }
            // Every node takes at least 3 bytes (path length, flags, input count): a count beyond that is corrupt, not a reason to allocate.
            var count = ReadCount(blob, ref at, (blob.Length - at) / 3, "node count");
            var (paths, isFod, inputStart, inputs) = ReadNodes(blob, ref at, count, count);
            return new RevisionGraph(paths, isFod, inputStart, inputs);
        }
        if (@base is null)
        {
            throw new InvalidDataException("a revision graph stored as a difference (format 2) has no base");
        }
        var baseCount = ReadCount(blob, ref at, int.MaxValue - 1, "base node count");
        if (baseCount != @base.Count)
        {
            throw new InvalidDataException($"revision graph is a difference from a graph of {baseCount} nodes, not from its base of {@base.Count}");
        }
        var removedCount = ReadCount(blob, ref at, baseCount, "removed node count");
        var removed = new bool[baseCount];
        var next = 0;
        for (var i = 0; i < removedCount; i++)
        {
            if (next >= baseCount)
            {
                throw new InvalidDataException("revision graph removes nodes beyond its base");
            }
            next += ReadCount(blob, ref at, baseCount - next - 1, "removed node");
            removed[next++] = true;
        }
        var addedCount = ReadCount(blob, ref at, (blob.Length - at) / 3, "added node count");
        var added = ReadNodes(blob, ref at, addedCount, baseCount + addedCount);
        // Kept base nodes first, in the base's order, then the added ones.
        var renumber = new int[baseCount + addedCount];
        var keptCount = 0;
        for (var b = 0; b < baseCount; b++)
        {
            renumber[b] = removed[b] ? -1 : keptCount++;
        }
        for (var i = 0; i < addedCount; i++)
        {
            renumber[baseCount + i] = keptCount + i;
        }
        var total = keptCount + addedCount;
        var allPaths = new string[total];
        var allFod = new bool[total];
        var allStart = new int[total + 1];
        var allInputs = new List<int>(@base._inputs.Length + added.Inputs.Length);
        void Add(int node, string path, bool isFod, ReadOnlySpan<int> inputs)
        {
            allPaths[node] = path;
            allFod[node] = isFod;
            foreach (var input in inputs)
            {
                allInputs.Add(renumber[input] >= 0 ? renumber[input] : throw new InvalidDataException($"revision graph node {path} needs base node {input}, which the difference removes"));
            }
            allStart[node + 1] = allInputs.Count;
        }
        for (var b = 0; b < baseCount; b++)
        {
            if (!removed[b])
            {
                Add(renumber[b], @base._paths[b], @base._isFod[b], @base.Inputs(b));
            }
        }
        for (var i = 0; i < addedCount; i++)
        {
            Add(keptCount + i, added.Paths[i], added.IsFod[i], added.Inputs.AsSpan(added.InputStart[i], added.InputStart[i + 1] - added.InputStart[i]));
        }
        return new RevisionGraph(allPaths, allFod, allStart, allInputs.ToArray());
    }

    /// <summary>Reads what <see cref="WriteNodes"/> wrote: <paramref name="count"/> nodes whose inputs are below <paramref name="numbers"/>, to the blob's end.</summary>
    private static (string[] Paths, bool[] IsFod, int[] InputStart, int[] Inputs) ReadNodes(ReadOnlySpan<byte> blob, ref int at, int count, int numbers)
    {
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
                inputs.Add(ReadCount(blob, ref at, numbers - 1, "input node"));
            }
            inputStart[n + 1] = inputs.Count;
        }
        if (at != blob.Length)
        {
            throw new InvalidDataException($"revision graph has {blob.Length - at} bytes after its last node");
        }
        return (paths, isFod, inputStart, inputs.ToArray());
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
