using System.Collections.Concurrent;
using System.Diagnostics;
using Vigil.Data;
using Vigil.Nix;
using Vigil.Nix.Derivations;
using Vigil.Nix.Fetchers;
using Vigil.Store;

namespace Vigil.Fod.Scanning;

/// <summary>
/// The closure walk of a scan over <c>.drv</c> files, level by level from the roots. A derivation
/// the database holds is never read again: derivations are immutable, so its stored row (an id, is-FOD
/// and input ids) stands in for the file, and the inputs of a stored derivation are loaded by id, with
/// no store-path text to match. Only derivations the database lacks are read, in parallel, and of
/// those only the FODs are parsed whole (<see cref="DrvSkim"/> reads the head of the rest). New
/// derivations are written at the end, children before parents in batches of their own transactions,
/// so every edge is stored as an id and an interrupted scan keeps every batch it finished.
/// </summary>
internal sealed class ClosureWalk
{
    // Batches double from the first: every batch rewrites the pages of the B-trees its random
    // store-path keys touch, so a few big transactions write far less than many small ones, while
    // the first ones still commit early (an interrupted scan keeps them).
    private const int FirstWriteBatch = 2000;

    [ThreadStatic]
    private static byte[]? t_buffer;

    private readonly VigilDatabase _db;
    private readonly DerivationReader _reader;
    private readonly IProgress<ScanProgress>? _progress;
    private readonly DrvGraph _graph;
    private readonly List<NodeState> _state = [];
    private readonly List<long> _dbId = [];
    private readonly Dictionary<long, int> _byDbId = [];
    private readonly HashSet<long> _requested = [];
    private readonly List<(int Node, DrvNode Row)> _known = [];
    private readonly Dictionary<int, FodRecord> _newFods = [];
    private readonly ConcurrentDictionary<string, Derivation?> _inputCache = new(StringComparer.Ordinal);
    private readonly List<EvalErrorRecord> _errors = [];

    public ClosureWalk(VigilDatabase db, DerivationReader reader, DrvGraph graph, IProgress<ScanProgress>? progress)
    {
        _db = db;
        _reader = reader;
        _graph = graph;
        _progress = progress;
    }

    private enum NodeState : byte
    {
        Pending,
        Known,
        New,
        Failed,
    }

    /// <summary>Derivations read from their files.</summary>
    public int Read { get; private set; }

    /// <summary>Derivations the database already held.</summary>
    public int Known { get; private set; }

    /// <summary>FODs among the derivations read.</summary>
    public int Fods { get; private set; }

    /// <summary>Time spent finding stored derivations and loading their edges.</summary>
    public TimeSpan LookupTime { get; private set; }

    /// <summary>Time spent reading and parsing new derivation files.</summary>
    public TimeSpan ReadTime { get; private set; }

    /// <summary>Walks the closure of <paramref name="roots"/> into the graph; returns the derivations that could not be read, by path.</summary>
    public async Task<IReadOnlyList<EvalErrorRecord>> RunAsync(IEnumerable<string> roots, CancellationToken ct)
    {
        var paths = new List<int>();
        foreach (var root in roots)
        {
            var node = Node(root, out var created);
            if (created)
            {
                paths.Add(node);
            }
        }
        var ids = new List<long>();
        // A first scan into an empty database: nothing can be known, so no level asks for any path.
        var started = Stopwatch.GetTimestamp();
        var anyStored = await _db.HasDrvsAsync(ct).ConfigureAwait(false);
        LookupTime += Stopwatch.GetElapsedTime(started);
        while (paths.Count > 0 || ids.Count > 0)
        {
            ct.ThrowIfCancellationRequested();
            var known = new List<(int Node, DrvNode Row)>();
            started = Stopwatch.GetTimestamp();
            // Inputs of stored derivations, by id: in a rescan, most of the closure.
            if (ids.Count > 0)
            {
                foreach (var row in await _db.LoadDrvNodesAsync(ids, ct).ConfigureAwait(false))
                {
                    var node = Node(row.Path, out _);
                    if (_state[node] == NodeState.Pending)
                    {
                        SetKnown(node, row, known);
                    }
                    else
                    {
                        // Read from its file in this scan while another one stored it: the id still names this node.
                        _byDbId.TryAdd(row.Id, node);
                    }
                }
            }
            // Derivations named by path (roots, inputs of new ones): stored ones are known, the rest are read.
            var lookup = paths.Where(n => _state[n] == NodeState.Pending).ToList();
            var unknown = lookup;
            if (lookup.Count > 0 && anyStored)
            {
                foreach (var row in await _db.FindDrvNodesAsync(lookup.ConvertAll(_graph.Path), ct).ConfigureAwait(false))
                {
                    if (_graph.TryGetId(row.Path, out var node) && _state[node] == NodeState.Pending)
                    {
                        SetKnown(node, row, known);
                    }
                }
                unknown = lookup.Where(n => _state[n] == NodeState.Pending).ToList();
            }
            LookupTime += Stopwatch.GetElapsedTime(started);
            started = Stopwatch.GetTimestamp();
            var read = ReadAll(unknown, ct);
            ReadTime += Stopwatch.GetElapsedTime(started);

            var nextPaths = new List<int>();
            var nextIds = new List<long>();
            foreach (var (_, row) in known)
            {
                foreach (var id in row.InputIds)
                {
                    if (!_byDbId.ContainsKey(id) && _requested.Add(id))
                    {
                        nextIds.Add(id);
                    }
                }
                foreach (var path in row.InputPaths)
                {
                    var node = Node(path, out var created);
                    if (created)
                    {
                        nextPaths.Add(node);
                    }
                }
            }
            for (var i = 0; i < unknown.Count; i++)
            {
                var node = unknown[i];
                var (isFod, inputPaths, fod, error) = read[i];
                if (error is not null)
                {
                    _state[node] = NodeState.Failed;
                    _errors.Add(new EvalErrorRecord(_graph.Path(node), error));
                    continue;
                }
                var inputs = new int[inputPaths!.Count];
                for (var j = 0; j < inputs.Length; j++)
                {
                    inputs[j] = Node(inputPaths[j], out var created);
                    if (created)
                    {
                        nextPaths.Add(inputs[j]);
                    }
                }
                _graph.SetNode(node, isFod, inputs);
                _state[node] = NodeState.New;
                Read++;
                if (fod is not null)
                {
                    _newFods[node] = fod;
                    Fods++;
                }
            }
            _progress?.Report(new ScanProgress("walking", 0, Read, Known, Fods));
            paths = nextPaths;
            ids = nextIds;
        }

        // Edges of stored derivations, now that every id they name has a node.
        foreach (var (node, row) in _known)
        {
            var inputs = new int[row.InputIds.Length + row.InputPaths.Length];
            var count = 0;
            foreach (var id in row.InputIds)
            {
                if (_byDbId.TryGetValue(id, out var input))
                {
                    inputs[count++] = input;
                }
                else
                {
                    _errors.Add(new EvalErrorRecord(row.Path, $"the database names input id {id} of {row.Path}, which it does not hold; its FODs are left out"));
                }
            }
            foreach (var path in row.InputPaths)
            {
                inputs[count++] = Node(path, out _);
            }
            _graph.SetNode(node, row.IsFod, count == inputs.Length ? inputs : inputs[..count]);
        }
        _errors.Sort((a, b) => string.CompareOrdinal(a.Attr, b.Attr));
        return _errors;
    }

    /// <summary>
    /// Stores the derivations read and their FOD records, children before parents, in batches of
    /// one transaction each: a derivation's inputs are stored (or failed to read) before it is.
    /// </summary>
    public async Task WriteAsync(CancellationToken ct)
    {
        var order = NewNodesChildrenFirst();
        var batchIndex = new int[_graph.Count];
        Array.Fill(batchIndex, -1);
        var written = 0;
        var size = FirstWriteBatch;
        for (var start = 0; start < order.Count; start += size, size *= 2)
        {
            ct.ThrowIfCancellationRequested();
            var batch = order.GetRange(start, Math.Min(size, order.Count - start));
            for (var i = 0; i < batch.Count; i++)
            {
                batchIndex[batch[i]] = i;
            }
            var drvs = new List<NewDrv>(batch.Count);
            var fods = new List<FodRecord>();
            foreach (var node in batch)
            {
                var inputIds = new List<long>();
                var batchInputs = new List<int>();
                var inputPaths = new List<string>();
                foreach (var input in _graph.Inputs(node))
                {
                    if (batchIndex[input] >= 0)
                    {
                        batchInputs.Add(batchIndex[input]);
                    }
                    else if (_dbId[input] > 0)
                    {
                        inputIds.Add(_dbId[input]);
                    }
                    else
                    {
                        inputPaths.Add(_graph.Path(input));
                    }
                }
                drvs.Add(new NewDrv(_graph.Path(node), _graph.IsFod(node), inputIds, batchInputs, inputPaths));
                if (_newFods.TryGetValue(node, out var fod))
                {
                    fods.Add(fod);
                }
            }
            var ids = await _db.WriteDrvNodesAsync(drvs, fods, ct).ConfigureAwait(false);
            for (var i = 0; i < batch.Count; i++)
            {
                _dbId[batch[i]] = ids[i];
                batchIndex[batch[i]] = -1;
            }
            written += batch.Count;
            _progress?.Report(new ScanProgress("saving", 0, written, Known, Fods));
        }
    }

    /// <summary>The new derivations in post-order (every new input before the derivation that needs it).</summary>
    private List<int> NewNodesChildrenFirst()
    {
        var order = new List<int>(Read);
        var mark = new byte[_graph.Count]; // 0 unseen, 1 on the stack, 2 done
        var stack = new Stack<(int Node, int Next)>();
        for (var root = 0; root < _graph.Count; root++)
        {
            if (_state[root] != NodeState.New || mark[root] != 0)
            {
                continue;
            }
            mark[root] = 1;
            stack.Push((root, 0));
            while (stack.Count > 0)
            {
                var (node, next) = stack.Pop();
                var inputs = _graph.Inputs(node);
                while (next < inputs.Count && (_state[inputs[next]] != NodeState.New || mark[inputs[next]] != 0))
                {
                    next++;
                }
                if (next < inputs.Count)
                {
                    stack.Push((node, next + 1));
                    mark[inputs[next]] = 1;
                    stack.Push((inputs[next], 0));
                    continue;
                }
                mark[node] = 2;
                order.Add(node);
            }
        }
        return order;
    }

    private int Node(string path, out bool created)
    {
        if (_graph.TryGetId(path, out var id))
        {
            created = false;
            return id;
        }
        id = _graph.Id(path);
        _state.Add(NodeState.Pending);
        _dbId.Add(0);
        created = true;
        return id;
    }

    private void SetKnown(int node, DrvNode row, List<(int, DrvNode)> level)
    {
        _state[node] = NodeState.Known;
        _dbId[node] = row.Id;
        _byDbId[row.Id] = node;
        _known.Add((node, row));
        level.Add((node, row));
        Known++;
    }

    private (bool IsFod, List<string>? Inputs, FodRecord? Fod, string? Error)[] ReadAll(List<int> nodes, CancellationToken ct)
    {
        var results = new (bool, List<string>?, FodRecord?, string?)[nodes.Count];
        var paths = nodes.ConvertAll(_graph.Path);
        Parallel.For(0, nodes.Count, new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            try
            {
                var (isFod, inputs, fod) = ReadNode(paths[i]);
                results[i] = (isFod, inputs, fod, null);
            }
            catch (Exception e) when (e is StoreException or NixFormatException)
            {
                results[i] = (false, null, null, e.Message);
            }
        });
        return results;
    }

    private (bool IsFod, List<string> Inputs, FodRecord? Fod) ReadNode(string path)
    {
        var buffer = t_buffer ??= new byte[64 * 1024];
        var bytes = _reader.ReadFile(path, ref buffer);
        t_buffer = buffer;
        var inputs = new List<string>();
        if (DrvSkim.TryRead(bytes, _reader.Location.StoreDir, inputs, out var maybeFixedOutput) && !maybeFixedOutput)
        {
            return (false, inputs, null);
        }
        // An FOD (or a head the skim would not vouch for): the whole file, parsed and checked.
        var drv = _reader.Parse(path, bytes);
        inputs.Clear();
        foreach (var input in drv.InputDerivations)
        {
            inputs.Add(input.Path);
        }
        foreach (var source in drv.InputSources)
        {
            if (source.EndsWith(".drv", StringComparison.Ordinal))
            {
                inputs.Add(source);
            }
        }
        if (!drv.IsFixedOutput)
        {
            return (false, inputs, null);
        }
        // Mirror lists are shared by every fetchurl FOD: read each once.
        Derivation? LoadInput(string p) => _inputCache.GetOrAdd(p, q =>
        {
            try
            {
                return _reader.Read(q);
            }
            catch (StoreException)
            {
                return null;
            }
        });
        return (true, inputs, FodExtractor.Extract(FodExtractor.FromDerivation(path, drv, LoadInput)));
    }
}
