using System.Diagnostics;
using Vigil.Data;
using Vigil.Nix;
using Vigil.Nix.Fetchers;
using Vigil.Nix.Hashing;
using Vigil.Nix.StorePaths;
using Vigil.Store;
using Vigil.Store.Evaluation;

namespace Vigil.Fod.Scanning;

/// <summary>
/// Scans a package set into the database: evaluates it with one backend, walks the closure of
/// every root over the <c>.drv</c> files (parallel, each file read once, and none at all that
/// the database already holds: derivations are immutable, so their stored edges stand in for the
/// file), records every FOD and which attributes reach it, and saves the revision atomically.
/// With the read-only backend, which writes no <c>.drv</c>, FOD records come from the evaluation
/// itself and derivations reachable only through string context are reported, never dropped; with
/// <c>combined</c> writing only what is needed, those derivations are walked from their files.
/// </summary>
public sealed class FodScanner
{
    private readonly VigilDatabase _db;
    private readonly DerivationReader _reader;
    private readonly IProgress<ScanProgress>? _progress;

    public FodScanner(VigilDatabase db, DerivationReader reader, IProgress<ScanProgress>? progress = null)
    {
        _db = db;
        _reader = reader;
        _progress = progress;
    }

    public async Task<ScanResult> ScanAsync(IEvaluator evaluator, EvalTarget target, string revision, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(target);
        var clock = Stopwatch.StartNew();
        var roots = new List<RevisionRoot>();
        var rootDrvs = new Dictionary<string, string>(StringComparer.Ordinal);
        var errors = new List<EvalErrorRecord>();
        var unresolved = new List<(string, string)>();
        var seen = new Dictionary<string, DerivationSeen>(StringComparer.Ordinal);
        var mirrorLists = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        var graph = new DrvGraph();
        Task<Recorded>? recording = null;
        await foreach (var e in evaluator.EvaluateAsync(target, cancellationToken).ConfigureAwait(false))
        {
            switch (e)
            {
                case AttrEvaluated a:
                    // A revision holds each attribute once; a list that repeats one (a JSON lines file
                    // concatenated twice) must not cost the whole scan at the end.
                    if (!rootDrvs.TryAdd(a.Attr, a.DrvPath))
                    {
                        if (rootDrvs[a.Attr] != a.DrvPath)
                        {
                            errors.Add(new EvalErrorRecord(a.Attr, $"evaluated twice, to {rootDrvs[a.Attr]} and to {a.DrvPath}; the first is kept"));
                        }
                        break;
                    }
                    roots.Add(new RevisionRoot(a.Attr, a.DrvPath));
                    if (roots.Count % 500 == 0)
                    {
                        _progress?.Report(new ScanProgress("evaluating", roots.Count, 0, 0, 0));
                    }
                    break;
                case AttrFailed f:
                    errors.Add(new EvalErrorRecord(f.Attr, f.Message));
                    break;
                case DerivationSeen d:
                    seen.TryAdd(d.DrvPath, d);
                    break;
                case MirrorListSeen m:
                    mirrorLists[m.DrvPath] = m.Sites;
                    break;
                case ContextDrvsUnresolved c:
                    unresolved.AddRange(c.DrvPaths.Select(p => (c.Attr, p)));
                    break;
                case WalkEnded:
                    // Nix now writes what the walk could not enter; the descriptions are recorded meanwhile
                    // (only in memory: nothing is left writing to the database if that evaluation fails).
                    var described = seen.Values.ToArray();
                    recording = Task.Run(() => RecordDescribed(graph, described, mirrorLists, cancellationToken), cancellationToken);
                    break;
            }
        }
        _progress?.Report(new ScanProgress("evaluating", roots.Count, 0, 0, 0));

        var phases = new List<ScanPhase>();
        var phaseStart = TimeSpan.Zero;
        void Phase(string name, TimeSpan? length = null)
        {
            var now = clock.Elapsed;
            phases.Add(new ScanPhase(name, (length ?? now - phaseStart).TotalSeconds));
            phaseStart = now;
        }
        Phase("evaluate");

        var stats = new WalkStats();
        RevisionGraph? stored = null;
        var writing = Task.CompletedTask;
        async Task RecordAsync()
        {
            var recorded = await (recording ?? Task.FromResult(RecordDescribed(graph, seen.Values.ToArray(), mirrorLists, cancellationToken))).ConfigureAwait(false);
            errors.AddRange(recorded.Errors);
            stats.Fods = recorded.Fods.Count;
            writing = Task.Run(() => _db.WriteFodsAsync(recorded.Fods, cancellationToken), cancellationToken);
            Phase("record");
        }
        if (evaluator.Name == "readonly")
        {
            await RecordAsync().ConfigureAwait(false);
            foreach (var (attr, drv) in unresolved)
            {
                errors.Add(new EvalErrorRecord(attr, $"not entered: {drv} is referenced only through string context; scan with --backend combined to include its closure"));
            }
            unresolved.Clear();
        }
        else
        {
            if (seen.Count > 0)
            {
                // combined --write-drvs needed: the walk described what it reached, and the derivations
                // it could not enter (now instantiated) are walked from their files with the roots.
                await RecordAsync().ConfigureAwait(false);
            }
            var walk = new ClosureWalk(_db, _reader, graph, _progress, seen.ContainsKey, writing);
            var walkRoots = roots.Select(r => r.DrvPath).Concat(unresolved.Select(u => u.Item2)).ToList();
            unresolved.Clear();
            errors.AddRange(await walk.RunAsync(walkRoots, cancellationToken).ConfigureAwait(false));
            stats.Read = walk.Read;
            stats.Known = walk.Known;
            stats.Fods += walk.Fods;
            Phase("lookup", walk.LookupTime);
            Phase("read", walk.ReadTime);
            phaseStart = clock.Elapsed;
            // The last FOD records are written while the graph and the reach are computed.
            writing = walk.WriteFodsAsync(cancellationToken);
            stored = walk.CompleteGraph();
        }

        _progress?.Report(new ScanProgress("saving", roots.Count, stats.Read, stats.Known, stats.Fods));
        // Attribute order, not the evaluator's: which attributes are listed for a widely shared FOD
        // breaks ties by it, and the same revision must store the same list whatever order the
        // attributes were evaluated in (combined reports newly instantiated ones last).
        var rootIds = roots.Where(r => graph.Contains(r.DrvPath))
            .OrderBy(r => r.Attr, StringComparer.Ordinal)
            .Select(r => (r.Attr, graph.Id(r.DrvPath)))
            .ToList();
        var fodIds = graph.ReachableFods(rootIds.Select(r => r.Item2)).ToList();
        var reach = AttributeReach.Compute(graph, rootIds, fodIds);
        var members = fodIds
            .Select(id => new RevisionFod(graph.Path(id), reach[id].Attrs, reach[id].Count))
            .OrderBy(f => f.DrvPath, StringComparer.Ordinal)
            .ToList();
        Phase("reach");
        await writing.ConfigureAwait(false);
        Phase("write");
        var info = await _db.SaveRevisionAsync(revision, Describe(evaluator, target), roots, members, errors, stored, cancellationToken).ConfigureAwait(false);
        Phase("save");
        return new ScanResult(info, stats.Read, stats.Known, graph.Count, errors, unresolved, clock.Elapsed, phases);
    }

    private static string Describe(IEvaluator evaluator, EvalTarget target) =>
        $"{evaluator.Name}:{target.File}" + (target.Attr is null ? "" : $" -A {target.Attr}");

    private sealed class WalkStats
    {
        public int Read;
        public int Known;
        public int Fods;
    }

    /// <summary>The FOD records of what an evaluation described, and what could not be made into one.</summary>
    private sealed record Recorded(List<FodRecord> Fods, List<EvalErrorRecord> Errors);

    /// <summary>
    /// What the evaluation described (read-only walks): there are no files to read, but it gave every
    /// derivation it reached with its input derivations, which is the same graph, added to
    /// <paramref name="graph"/>. The FOD records are made on every core.
    /// </summary>
    private static Recorded RecordDescribed(
        DrvGraph graph,
        DerivationSeen[] described,
        Dictionary<string, IReadOnlyDictionary<string, string>> mirrorLists,
        CancellationToken ct)
    {
        var errors = new List<EvalErrorRecord>();
        var records = new FodRecord?[described.Length];
        var failures = new string?[described.Length];
        Parallel.For(0, described.Length, new ParallelOptions { CancellationToken = ct }, i =>
        {
            if (described[i].FodAttrs is not null)
            {
                try
                {
                    records[i] = FodExtractor.Extract(FromAttributes(described[i], mirrorLists));
                }
                catch (NixFormatException e)
                {
                    failures[i] = e.Message;
                }
            }
        });
        var fods = new List<FodRecord>();
        for (var i = 0; i < described.Length; i++)
        {
            var d = described[i];
            if (failures[i] is { } failure)
            {
                errors.Add(new EvalErrorRecord(d.Attr, $"{d.DrvPath}: {failure}"));
            }
            if (records[i] is { } record)
            {
                fods.Add(record);
            }
            graph.SetNode(d.DrvPath, records[i] is not null, d.InputDrvs ?? []);
        }
        // Only FOD records are stored: without the .drv files the graph is not the immutable record a
        // later file walk could trust, so what was only described is kept out of the stored graph.
        return new Recorded(fods, errors);
    }

    private static FodInput FromAttributes(DerivationSeen d, Dictionary<string, IReadOnlyDictionary<string, string>> mirrorLists)
    {
        var attrs = d.FodAttrs!;
        string? Env(string key) => attrs.TryGetValue(key, out var v) ? v : null;
        var mode = Env("outputHashMode") == "recursive" ? ContentAddressMethod.Recursive : ContentAddressMethod.Flat;
        HashAlgorithmKind? algo = HashAlgorithms.TryParse(Env("outputHashAlgo") ?? "", out var a) ? a : null;
        var hash = NixHash.ParseAllowEmpty(Env("outputHash") ?? "", algo);
        var sites = d.MirrorsListDrv is not null && mirrorLists.TryGetValue(d.MirrorsListDrv, out var s)
            ? FodExtractor.MirrorSites(s)
            : static _ => null;
        return new FodInput(d.DrvPath, d.OutputPath, d.Name, mode, hash, Env, sites);
    }
}
