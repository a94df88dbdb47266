using System.Collections.Concurrent;
using System.Buffers;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text;
using Vigil.Nix;
using Vigil.Nix.Derivations;
using Vigil.Nix.StorePaths;

namespace Vigil.Store;

/// <summary>
/// Re-derives, for each checked derivation, its <c>.drv</c> path, its canonical ATerm bytes, and
/// every output path and output env entry, and reports where the store disagrees.
/// <para>
/// Each derivation is parsed once, and hashed in dependency order: a derivation's output paths
/// need the modulo hashes of all its input derivations, so it waits (parsed) until those are
/// known, is checked and hashed, and is dropped, leaving only its 32-byte modulo hash. The walk is
/// depth-first (a stack shared by one worker per core), so few parsed derivations wait at any
/// time: over a 41k-drv closure, keeping them all alive cost more in the garbage collector (which
/// copies surviving objects between generations) than parsing them again, and parsing each one
/// up to three times (walk, check, as an input) cost more than the rest of the check.
/// </para>
/// <para>
/// Input derivations that are not checked themselves (outside the loaded set, or without
/// <c>-r</c>) are read for their modulo hash only; when one cannot be read, every checked
/// derivation whose output paths depend on it gets an <c>error</c> mismatch. A checked derivation
/// that cannot be read is an error of the whole check (<see cref="StoreException"/>).
/// </para>
/// </summary>
public sealed class DerivationChecker
{
    private readonly DerivationReader _reader;
    private readonly StoreDir _storeDir;
    private readonly IReadOnlyDictionary<string, LoadedDerivation>? _loaded;
    private readonly IReadOnlyList<string> _roots;
    private readonly HashSet<string> _rootSet;
    private readonly bool _recursive;
    private readonly int _parallelism;

    /// <summary>Checks derivations already loaded (with <c>check: true</c>); their inputs outside the set are read from the store.</summary>
    public DerivationChecker(IReadOnlyDictionary<string, LoadedDerivation> loaded, DerivationReader reader, StoreDir storeDir)
        : this(reader, Keys(loaded), recursive: false, storeDir)
    {
        _loaded = loaded;
    }

    /// <summary>
    /// Checks the derivations at <paramref name="roots"/> and, when <paramref name="recursive"/>,
    /// every derivation of their closure (input derivations, and input sources that are
    /// <c>.drv</c> files, as <see cref="DerivationClosure"/> follows them), reading each file once.
    /// </summary>
    public DerivationChecker(DerivationReader reader, IEnumerable<string> roots, bool recursive, StoreDir storeDir, int parallelism = 0)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(roots);
        ArgumentNullException.ThrowIfNull(storeDir);
        _reader = reader;
        _storeDir = storeDir;
        _roots = roots.Distinct(StringComparer.Ordinal).ToList();
        _rootSet = new HashSet<string>(_roots, StringComparer.Ordinal);
        _recursive = recursive;
        _parallelism = parallelism > 0 ? parallelism : Environment.ProcessorCount;
    }

    /// <summary>How many derivations the last <see cref="CheckAll"/> checked.</summary>
    public int CheckedCount { get; private set; }

    /// <summary>All mismatches, ordered by derivation path.</summary>
    public IReadOnlyList<DrvMismatch> CheckAll(CancellationToken cancellationToken = default)
    {
        var run = new Run(this, cancellationToken);
        var found = run.Execute();
        CheckedCount = run.CheckedCount;
        return found.OrderBy(m => m.DrvPath, StringComparer.Ordinal).ThenBy(m => m.What, StringComparer.Ordinal).ToList();
    }

    private static IReadOnlyList<string> Keys<T>(IReadOnlyDictionary<string, T> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return map.Keys.ToList();
    }

    private bool IsChecked(string path) => _loaded?.ContainsKey(path) ?? (_recursive || _rootSet.Contains(path));

    /// <summary>What needs only the file: its canonical form and its own path.</summary>
    private void CheckFile(LoadedDerivation loaded, ConcurrentBag<DrvMismatch> found)
    {
        if (!loaded.IsCanonical)
        {
            found.Add(new DrvMismatch(loaded.Path, "aterm", "bytes differ from the canonical serialisation", "canonical ATerm as Nix writes it"));
        }
        var drvPath = _storeDir.Print(DerivationPaths.DrvPathFromDigest(loaded.Derivation, loaded.FileSha256, _storeDir));
        if (drvPath != loaded.Path)
        {
            found.Add(new DrvMismatch(loaded.Path, "drvPath", loaded.Path, drvPath));
        }
    }

    /// <summary>Output paths and env entries against what Nix derives for them.</summary>
    private static void CheckOutputs(string path, Derivation drv, IReadOnlyList<ExpectedOutput> expected, ConcurrentBag<DrvMismatch> found)
    {
        foreach (var want in expected)
        {
            var output = drv.FindOutput(want.Name)!;
            if (output.Path != want.Path)
            {
                found.Add(new DrvMismatch(path, $"output {want.Name} path", output.Path, want.Path));
            }
            var env = drv.GetEnv(Encoding.UTF8.GetBytes(want.Name));
            if (env is null || !env.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(want.EnvValue)))
            {
                found.Add(new DrvMismatch(path, $"output {want.Name} env", env is null ? "(missing)" : Encoding.UTF8.GetString(env), want.EnvValue));
            }
        }
    }

    /// <summary>Whether the expected outputs need the masked modulo hash (hence every input's hash).</summary>
    private static bool NeedsInputHashes(Derivation drv) => drv.Outputs.Any(o => o.Kind == OutputKind.InputAddressed);

    /// <summary>One derivation of the walk.</summary>
    private sealed class Node(string path, bool check)
    {
        private List<Node>? _waiters;
        private bool _done;

        public string Path { get; } = path;

        /// <summary>Checked (else only hashed, as an input of checked ones).</summary>
        public bool Check { get; } = check;

        /// <summary>The parsed derivation while it waits for its inputs; dropped once hashed.</summary>
        public Derivation? Derivation { get; set; }

        public Node[]? Inputs { get; set; }

        /// <summary>Inputs not yet hashed, plus one while they are being registered.</summary>
        public int Pending;

        /// <summary>Its unmasked modulo hash once hashed: all that is kept of it, for its dependents.</summary>
        public byte[]? Modulo { get; set; }

        /// <summary>Why this derivation's modulo hash is unknown (it or an input cannot be read); null when known.</summary>
        public string? Failure { get; set; }

        public bool IsDone
        {
            get
            {
                lock (this)
                {
                    return _done;
                }
            }
        }

        /// <summary>Registers <paramref name="waiter"/> to be told when this one is hashed; false when it already is.</summary>
        public bool TryAddWaiter(Node waiter)
        {
            lock (this)
            {
                if (_done)
                {
                    return false;
                }
                (_waiters ??= []).Add(waiter);
                return true;
            }
        }

        /// <summary>Marks this one hashed (or failed); returns who waited for it.</summary>
        public List<Node>? Complete()
        {
            lock (this)
            {
                _done = true;
                var waiters = _waiters;
                _waiters = null;
                return waiters;
            }
        }
    }

    /// <summary>What one worker thread reuses from file to file.</summary>
    private sealed class Worker
    {
        public byte[] File = new byte[1 << 16];

        public ArrayBufferWriter<byte> Canonical { get; } = new(1 << 16);
    }

    /// <summary>One <see cref="CheckAll"/>: the nodes, the shared work stack and the workers.</summary>
    private sealed class Run
    {
        private readonly DerivationChecker _checker;
        private readonly CancellationToken _cancellationToken;
        private readonly ConcurrentDictionary<string, Node> _nodes = new(StringComparer.Ordinal);
        private readonly ConcurrentBag<DrvMismatch> _found = [];
        private readonly object _gate = new();
        // Depth first: the most recently found work first, so a derivation's inputs are read and
        // hashed soon after it, and it does not wait long (alive) for them.
        private readonly Stack<(Node Node, bool Finish)> _work = new();
        private int _busy;
        private Exception? _error;
        private StoreDirectoryReader? _files;

        public Run(DerivationChecker checker, CancellationToken cancellationToken)
        {
            _checker = checker;
            _cancellationToken = cancellationToken;
        }

        public int CheckedCount { get; private set; }

        public IEnumerable<DrvMismatch> Execute()
        {
            using var files = new StoreDirectoryReader(_checker._reader);
            _files = files;
            var roots = new List<Node>(_checker._roots.Count);
            foreach (var path in _checker._roots)
            {
                Discover(path, roots);
            }
            Push(roots, finish: false);
            var workers = new Thread[_checker._parallelism - 1];
            for (var i = 0; i < workers.Length; i++)
            {
                workers[i] = new Thread(Work) { IsBackground = true, Name = "drv check" };
                workers[i].Start();
            }
            Work();
            foreach (var worker in workers)
            {
                worker.Join();
            }
            if (_error is not null)
            {
                ExceptionDispatchInfo.Capture(_error).Throw();
            }
            _cancellationToken.ThrowIfCancellationRequested();
            FinishCycles();
            CheckedCount = _nodes.Values.Count(n => n.Check);
            return _found;
        }

        private void Work()
        {
            var worker = new Worker();
            var found = new List<Node>();
            var ready = new List<Node>();
            while (true)
            {
                (Node Node, bool Finish) item;
                lock (_gate)
                {
                    while (_work.Count == 0 && _busy > 0 && _error is null && !_cancellationToken.IsCancellationRequested)
                    {
                        Monitor.Wait(_gate);
                    }
                    if (_work.Count == 0 || _error is not null || _cancellationToken.IsCancellationRequested)
                    {
                        // Done (nothing left, nobody to add more) or aborted: wake the others to see it.
                        Monitor.PulseAll(_gate);
                        return;
                    }
                    item = _work.Pop();
                    _busy++;
                }
                try
                {
                    found.Clear();
                    ready.Clear();
                    if (item.Finish)
                    {
                        Finish(item.Node, ready);
                    }
                    else
                    {
                        Read(item.Node, worker, found, ready);
                    }
                    Push(found, finish: false);
                    Push(ready, finish: true);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    lock (_gate)
                    {
                        _error ??= e;
                    }
                }
                finally
                {
                    lock (_gate)
                    {
                        _busy--;
                        if (_busy == 0 || _error is not null)
                        {
                            Monitor.PulseAll(_gate);
                        }
                    }
                }
            }
        }

        private void Push(List<Node> nodes, bool finish)
        {
            if (nodes.Count == 0)
            {
                return;
            }
            lock (_gate)
            {
                foreach (var node in nodes)
                {
                    _work.Push((node, finish));
                }
                Monitor.PulseAll(_gate);
            }
        }

        /// <summary>The node of <paramref name="path"/>; a new one is added to <paramref name="found"/> to be read.</summary>
        private Node Discover(string path, List<Node> found)
        {
            if (_nodes.TryGetValue(path, out var known))
            {
                return known;
            }
            var created = new Node(path, _checker.IsChecked(path));
            var node = _nodes.GetOrAdd(path, created);
            if (ReferenceEquals(node, created))
            {
                found.Add(node);
            }
            return node;
        }

        private void Read(Node node, Worker worker, List<Node> found, List<Node> ready)
        {
            var checker = _checker;
            Derivation drv;
            if (node.Check)
            {
                LoadedDerivation loaded;
                if (checker._loaded is { } given)
                {
                    loaded = given[node.Path];
                }
                else
                {
                    var bytes = _files!.ReadFile(node.Path, ref worker.File);
                    var parsed = checker._reader.Parse(node.Path, bytes);
                    // As DerivationReader.Load, into this worker's buffer rather than a new one per file.
                    worker.Canonical.ResetWrittenCount();
                    ATermWriter.Write(parsed, worker.Canonical);
                    loaded = new LoadedDerivation(node.Path, parsed, SHA256.HashData(bytes), worker.Canonical.WrittenSpan.SequenceEqual(bytes));
                }
                checker.CheckFile(loaded, _found);
                drv = loaded.Derivation;
                if (checker._recursive)
                {
                    foreach (var source in drv.InputSources)
                    {
                        if (source.EndsWith(".drv", StringComparison.Ordinal))
                        {
                            Discover(source, found);
                        }
                    }
                }
            }
            else
            {
                try
                {
                    drv = checker._reader.Parse(node.Path, _files!.ReadFile(node.Path, ref worker.File));
                }
                catch (StoreException e)
                {
                    node.Failure = e.Message;
                    Complete(node, ready);
                    return;
                }
            }
            if (drv.IsFixedOutput)
            {
                // Its modulo hash and output path come from (method, hash, name) alone: no input
                // is waited for, but a checked closure still reads them.
                if (checker._recursive && node.Check)
                {
                    foreach (var input in drv.InputDerivations)
                    {
                        Discover(input.Path, found);
                    }
                }
                node.Derivation = drv;
                Finish(node, ready);
                return;
            }
            var inputs = new Node[drv.InputDerivations.Count];
            for (var i = 0; i < inputs.Length; i++)
            {
                inputs[i] = Discover(drv.InputDerivations[i].Path, found);
            }
            node.Derivation = drv;
            node.Inputs = inputs;
            // One more than the inputs until all are registered, so that inputs hashed meanwhile
            // (on the other workers) cannot bring it to zero early.
            Volatile.Write(ref node.Pending, inputs.Length + 1);
            foreach (var input in inputs)
            {
                if (!input.TryAddWaiter(node))
                {
                    Interlocked.Decrement(ref node.Pending);
                }
            }
            if (Interlocked.Decrement(ref node.Pending) == 0)
            {
                Finish(node, ready);
            }
        }

        /// <summary>All inputs are hashed (or failed): check the outputs, hash, drop the parsed derivation.</summary>
        private void Finish(Node node, List<Node> ready)
        {
            var drv = node.Derivation!;
            string? failure = null;
            foreach (var input in node.Inputs ?? [])
            {
                if (input.Failure is { } inputFailure)
                {
                    failure = inputFailure;
                    break;
                }
            }
            Conclude(node, drv, failure);
            Complete(node, ready);
        }

        private void Conclude(Node node, Derivation drv, string? failure)
        {
            byte[]? masked = null;
            IReadOnlyList<ExpectedOutput>? expected = null;
            if (failure is null)
            {
                try
                {
                    if (drv.IsFixedOutput)
                    {
                        // Whatever its inputs (not waited for): (method, hash, name) alone, through
                        // its expected output path (computed once, for the hash and the check).
                        expected = DerivationPaths.ExpectedOutputs(drv, [], _checker._storeDir);
                        node.Modulo = masked = DerivationHasher.FixedOutputHash(drv, expected[0].Path);
                    }
                    else
                    {
                        var inputModulo = new byte[drv.InputDerivations.Count][];
                        for (var i = 0; i < inputModulo.Length; i++)
                        {
                            inputModulo[i] = node.Inputs![i].Modulo!;
                        }
                        (node.Modulo, masked) = DerivationHasher.HashModulo(drv, inputModulo, _checker._storeDir);
                    }
                }
                catch (Exception e) when (e is StoreException or NixFormatException)
                {
                    failure = e.Message;
                }
            }
            if (node.Check)
            {
                if (failure is not null && NeedsInputHashes(drv))
                {
                    _found.Add(new DrvMismatch(node.Path, "error", failure, "all input derivations readable"));
                }
                else
                {
                    try
                    {
                        // Without the masked hash (an input failed) there are no input-addressed
                        // outputs here, which are all that read it.
                        expected ??= DerivationPaths.ExpectedOutputs(drv, masked ?? [], _checker._storeDir);
                        CheckOutputs(node.Path, drv, expected, _found);
                    }
                    catch (Exception e) when (e is StoreException or NixFormatException)
                    {
                        _found.Add(new DrvMismatch(node.Path, "error", e.Message, "all input derivations readable"));
                    }
                }
            }
            node.Failure = failure;
            node.Derivation = null;
            node.Inputs = null;
        }

        private static void Complete(Node node, List<Node> ready)
        {
            foreach (var waiter in node.Complete() ?? [])
            {
                if (Interlocked.Decrement(ref waiter.Pending) == 0)
                {
                    ready.Add(waiter);
                }
            }
        }

        /// <summary>
        /// Derivations still waiting once the work ran out wait on a cycle (possible only in an
        /// edited store, where a file's path is not its hash): no modulo hash can be derived.
        /// </summary>
        private void FinishCycles()
        {
            var stuck = _nodes.Values.Where(n => !n.IsDone).OrderBy(n => n.Path, StringComparer.Ordinal).ToList();
            foreach (var node in stuck)
            {
                var through = node.Inputs!.First(i => !i.IsDone || i.Failure is not null).Path;
                var failure = new NixFormatException("derivation", 0, $"derivation graph has a cycle through '{through}'").Message;
                Conclude(node, node.Derivation!, failure);
            }
            foreach (var node in stuck)
            {
                node.Complete();
            }
        }
    }
}
