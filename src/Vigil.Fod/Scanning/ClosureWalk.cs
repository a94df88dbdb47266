using System.Collections.Concurrent;
using System.Diagnostics;
using Vigil.Data;
using Vigil.Nix;
using Vigil.Nix.Derivations;
using Vigil.Nix.Fetchers;
using Vigil.Store;

namespace Vigil.Fod.Scanning;

/// <summary>
/// The closure walk of a scan over <c>.drv</c> files, level by level from the roots. A derivation in
/// the graph stored with the last scanned revision is never read again: derivations are immutable,
/// so that graph stands in for the file and for its whole closure. Only derivations it lacks are
/// read, in parallel, by <see cref="DrvSkim"/>: the head of every file, and the env of an FOD as places
/// in the file, from which its record is made; only a file the skim will not vouch for is parsed
/// whole. The FOD records read are written level by level, by one writer task beside the walk; the
/// graph is saved with the revision.
/// </summary>
internal sealed class ClosureWalk
{
    [ThreadStatic]
    private static byte[]? t_buffer;

    [ThreadStatic]
    private static FodFields? t_fields;

    private readonly VigilDatabase _db;
    private readonly DerivationReader _reader;
    private readonly IProgress<ScanProgress>? _progress;
    private readonly DrvGraph _graph;
    private readonly List<NodeState> _state = [];
    // FOD records read and not yet handed to the writer, and the write in progress: a level's
    // records are written while the next level is read, and the last ones while the scan computes
    // the reach.
    private List<FodRecord> _unwritten = [];
    private Task _writing;
    private readonly ConcurrentDictionary<string, Derivation?> _inputCache = new(StringComparer.Ordinal);
    private readonly List<EvalErrorRecord> _errors = [];
    private StoreDirectoryReader? _files;
    // Nodes the graph held before the walk that the evaluation named but did not describe: read when first met.
    private readonly HashSet<int> _undescribed = [];

    /// <param name="graph">Empty, or holding what an evaluation described (<paramref name="described"/>):
    /// those derivations are not read, and the others it names are read when the walk meets them.</param>
    /// <param name="pendingWrite">A write of FOD records in progress, which this walk's writes follow.</param>
    public ClosureWalk(VigilDatabase db, DerivationReader reader, DrvGraph graph, IProgress<ScanProgress>? progress, Func<string, bool>? described = null, Task? pendingWrite = null)
    {
        _db = db;
        _reader = reader;
        _graph = graph;
        _progress = progress;
        _writing = pendingWrite ?? Task.CompletedTask;
        for (var id = 0; id < graph.Count; id++)
        {
            if (described?.Invoke(graph.Path(id)) == true)
            {
                _state.Add(NodeState.Described);
            }
            else
            {
                _state.Add(NodeState.Pending);
                _undescribed.Add(id);
            }
        }
    }

    private enum NodeState : byte
    {
        Pending,
        Known,
        New,
        Failed,
        // By the evaluation, not read from a file: not the immutable record a later scan may take from the stored graph.
        Described,
    }

    /// <summary>Derivations read from their files.</summary>
    public int Read { get; private set; }

    /// <summary>Derivations the database already held.</summary>
    public int Known { get; private set; }

    /// <summary>FODs among the derivations read.</summary>
    public int Fods { get; private set; }

    /// <summary>Time spent loading the stored graph and taking the known part of the closure from it.</summary>
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
        using var files = new StoreDirectoryReader(_reader);
        _files = files;
        var started = Stopwatch.GetTimestamp();
        var stored = await _db.LoadLatestGraphAsync(ct).ConfigureAwait(false);
        LookupTime += Stopwatch.GetElapsedTime(started);
        // Nodes of the stored graph met on the way: their closures come from it, not from files.
        var storedSeeds = new List<(int Node, int Stored)>();
        while (paths.Count > 0)
        {
            ct.ThrowIfCancellationRequested();
            var unknown = paths;
            if (stored is not null)
            {
                unknown = new List<int>(paths.Count);
                foreach (var node in paths)
                {
                    if (stored.TryFind(_graph.Path(node), out var s))
                    {
                        _state[node] = NodeState.Known;
                        storedSeeds.Add((node, s));
                        Known++; // the closures these bring are counted when they are taken, at the end
                    }
                    else
                    {
                        unknown.Add(node);
                    }
                }
            }
            started = Stopwatch.GetTimestamp();
            var read = ReadAll(unknown, ct);
            ReadTime += Stopwatch.GetElapsedTime(started);
            var nextPaths = new List<int>();
            for (var i = 0; i < unknown.Count; i++)
            {
                Add(unknown[i], read[i], nextPaths);
            }
            _progress?.Report(new ScanProgress("walking", 0, Read, Known, Fods));
            // Whole levels, not chunks of them: on the 41k-drv bench set, handing over every 4,096
            // files made the scan slower (best of 5: 2.17 s against 1.98 s; again with the lean FOD
            // read and 64 KiB pages, median of 8: 1.62 s against 1.42 s, and 1.80 s every 2,048).
            if (_writing.IsCompleted)
            {
                await StartWritingAsync(ct).ConfigureAwait(false);
            }
            paths = nextPaths;
        }
        if (stored is not null)
        {
            started = Stopwatch.GetTimestamp();
            AddStoredClosures(stored, storedSeeds);
            LookupTime += Stopwatch.GetElapsedTime(started);
        }
        _errors.Sort((a, b) => string.CompareOrdinal(a.Attr, b.Attr));
        return _errors;
    }

    /// <summary>Records what reading <paramref name="node"/> gave; its inputs not seen before go to <paramref name="nextPaths"/>.</summary>
    private void Add(int node, (bool IsFod, List<string>? Inputs, FodRecord? Fod, string? Error) read, List<int> nextPaths)
    {
        var (isFod, inputPaths, fod, error) = read;
        if (error is not null)
        {
            _state[node] = NodeState.Failed;
            _errors.Add(new EvalErrorRecord(_graph.Path(node), error));
            return;
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
            _unwritten.Add(fod);
            Fods++;
        }
    }

    /// <summary>Copies the closures of <paramref name="seeds"/> from the stored graph into this scan's graph.</summary>
    private void AddStoredClosures(RevisionGraph stored, List<(int Node, int Stored)> seeds)
    {
        var toNode = new int[stored.Count];
        Array.Fill(toNode, -1);
        var stack = new Stack<int>();
        foreach (var (node, s) in seeds)
        {
            if (toNode[s] < 0)
            {
                toNode[s] = node;
                stack.Push(s);
            }
        }
        var reached = new List<int>();
        while (stack.Count > 0)
        {
            var s = stack.Pop();
            reached.Add(s);
            foreach (var input in stored.Inputs(s))
            {
                if (toNode[input] < 0)
                {
                    // A stored derivation is never also read in this scan: every path is looked up first.
                    toNode[input] = Node(stored.Path(input), out _);
                    _state[toNode[input]] = NodeState.Known;
                    stack.Push(input);
                }
            }
        }
        foreach (var s in reached)
        {
            var storedInputs = stored.Inputs(s);
            var inputs = new int[storedInputs.Length];
            for (var i = 0; i < inputs.Length; i++)
            {
                inputs[i] = toNode[storedInputs[i]];
            }
            _graph.SetNode(toNode[s], stored.IsFod(s), inputs);
        }
        Known = reached.Count;
    }

    /// <summary>Waits for the FOD records of the derivations read to be stored.</summary>
    public async Task WriteFodsAsync(CancellationToken ct)
    {
        await StartWritingAsync(ct).ConfigureAwait(false);
        await _writing.ConfigureAwait(false);
    }

    /// <summary>Surfaces the last write's failure, if any, and starts writing what was read since.</summary>
    private async Task StartWritingAsync(CancellationToken ct)
    {
        await _writing.ConfigureAwait(false);
        if (_unwritten.Count > 0)
        {
            var batch = _unwritten;
            _unwritten = [];
            _writing = Task.Run(() => _db.WriteFodsAsync(batch, ct), ct);
        }
    }

    /// <summary>
    /// The graph to store with the revision: every node whose whole closure was read or known. A
    /// derivation that failed to read or was only described by the evaluation, and everything that
    /// depends on it, is left out, so a later scan that takes a node from the stored graph takes a
    /// complete closure, as the files say.
    /// </summary>
    public RevisionGraph CompleteGraph()
    {
        var complete = new bool[_graph.Count];
        Array.Fill(complete, true);
        var failed = Enumerable.Range(0, _graph.Count).Where(n => _state[n] is NodeState.Failed or NodeState.Pending or NodeState.Described).ToList();
        if (failed.Count > 0)
        {
            var parents = _graph.Parents();
            var stack = new Stack<int>(failed);
            foreach (var n in failed)
            {
                complete[n] = false;
            }
            while (stack.Count > 0)
            {
                foreach (var p in parents[stack.Pop()])
                {
                    if (complete[p])
                    {
                        complete[p] = false;
                        stack.Push(p);
                    }
                }
            }
        }
        return _graph.ToRevisionGraph(complete);
    }

    private int Node(string path, out bool created)
    {
        if (_graph.TryGetId(path, out var id))
        {
            created = _undescribed.Remove(id);
            return id;
        }
        id = _graph.Id(path);
        _state.Add(NodeState.Pending);
        created = true;
        return id;
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
        var bytes = _files!.ReadFile(path, ref buffer);
        t_buffer = buffer;
        var fields = t_fields ??= new FodFields();
        fields.File = buffer;
        var inputs = new List<string>();
        if (DrvSkim.TryRead(bytes, _reader.Location.StoreDir, inputs, fields, out var maybeFixedOutput))
        {
            if (!maybeFixedOutput)
            {
                return (false, inputs, null);
            }
            if (fields.TryExtract(path, inputs, LoadInput) is { } record)
            {
                return (true, inputs, record);
            }
        }
        // A head or a tail the skim would not vouch for: the whole file, parsed and checked.
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
        return (true, inputs, FodExtractor.Extract(FodExtractor.FromDerivation(path, drv, LoadInput)));
    }

    /// <summary>Input derivations an FOD's extraction asks for (its mirror list): shared by every fetchurl FOD, so each is read once.</summary>
    private Derivation? LoadInput(string path) => _inputCache.GetOrAdd(path, p =>
    {
        try
        {
            return _reader.Read(p);
        }
        catch (StoreException)
        {
            return null;
        }
    });
}
