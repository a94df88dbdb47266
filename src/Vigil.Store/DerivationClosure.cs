using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Vigil.Nix.Derivations;

namespace Vigil.Store;

/// <summary>
/// Loads every derivation reachable from some roots through input derivations (and input sources
/// that are themselves <c>.drv</c> files, as <c>nix-store -qR</c> would include them), reading
/// each file once, level by level in parallel.
/// </summary>
public static class DerivationClosure
{
    public static IReadOnlyDictionary<string, LoadedDerivation> Load(
        DerivationReader reader,
        IEnumerable<string> roots,
        bool check,
        int parallelism = 0,
        Action<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return Walk(roots, (path, inputs) =>
        {
            var loaded = reader.Load(path, check);
            AddInputs(loaded.Derivation, inputs);
            return loaded;
        }, parallelism, progress, cancellationToken);
    }

    /// <summary>
    /// Reads every derivation file of the closure once, keeping only what <paramref name="visit"/>
    /// makes of its bytes (called in parallel, with each thread's own reused file buffer, so the
    /// bytes are valid during the call only). <c>visit</c> parses the file as it likes and adds the
    /// paths the walk follows (see <see cref="AddInputs"/>) to the list it is given, which is null
    /// when only the roots are visited.
    /// </summary>
    public static IReadOnlyDictionary<string, T> Visit<T>(
        DerivationReader reader,
        IEnumerable<string> roots,
        bool recursive,
        VisitFile<T> visit,
        int parallelism = 0,
        Action<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(visit);
        using var buffers = new ThreadLocal<byte[]>(() => new byte[1 << 16]);
        using var files = new StoreDirectoryReader(reader);
        return Walk(roots, (path, inputs) =>
        {
            var buffer = buffers.Value!;
            var bytes = files.ReadFile(path, ref buffer);
            buffers.Value = buffer;
            return visit(path, bytes, recursive ? inputs : null);
        }, parallelism, progress, cancellationToken);
    }

    /// <summary>What a closure walk follows from a derivation: its input derivations, and its input sources that are <c>.drv</c> files.</summary>
    public static void AddInputs(Derivation drv, ICollection<string> inputs)
    {
        ArgumentNullException.ThrowIfNull(drv);
        ArgumentNullException.ThrowIfNull(inputs);
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
    }

    /// <summary>
    /// Visits the roots and, level by level, every derivation they lead to; <c>visit</c> returns
    /// what to keep and adds the paths to follow to the list it is given (each thread's own).
    /// </summary>
    private static ConcurrentDictionary<string, T> Walk<T>(
        IEnumerable<string> roots,
        Func<string, List<string>, T> visit,
        int parallelism,
        Action<int>? progress,
        CancellationToken cancellationToken)
    {
        var result = new ConcurrentDictionary<string, T>(StringComparer.Ordinal);
        var frontier = roots.Distinct(StringComparer.Ordinal).ToList();
        // Only the first sighting of a path is queued: every input path string parsed is garbage
        // at once unless it is new, so the collector need not copy hundreds of thousands of them.
        var seen = new ConcurrentDictionary<string, bool>(frontier.Select(p => KeyValuePair.Create(p, true)), StringComparer.Ordinal);
        var options = new ParallelOptions
        {
            MaxDegreeOfParallelism = parallelism > 0 ? parallelism : Environment.ProcessorCount,
            CancellationToken = cancellationToken,
        };
        while (frontier.Count > 0)
        {
            var next = new ConcurrentBag<string>();
            ForEachUnwrapped(frontier, options, () => new List<string>(), (path, inputs) =>
            {
                inputs.Clear();
                result[path] = visit(path, inputs);
                foreach (var input in inputs)
                {
                    // Most inputs were seen before (stdenv and the fetchers' tools, thousands of
                    // times); the lock-free lookup spares TryAdd's bucket lock for those.
                    if (!seen.ContainsKey(input) && seen.TryAdd(input, true))
                    {
                        next.Add(input);
                    }
                }
            });
            progress?.Invoke(result.Count);
            frontier = [.. next];
        }
        return result;
    }

    /// <summary>
    /// <see cref="Parallel.ForEach{TSource}(IEnumerable{TSource}, ParallelOptions, Action{TSource})"/>,
    /// but a failure surfaces as the exception it was (a <see cref="StoreException"/> naming the
    /// bad file) rather than wrapped in an <see cref="AggregateException"/> callers do not expect.
    /// When several items fail, the one first in <paramref name="items"/> is reported, not the one
    /// whose thread happened to fail first: the same bad arguments give the same message each run.
    /// </summary>
    private static void ForEachUnwrapped<TLocal>(List<string> items, ParallelOptions options, Func<TLocal> local, Action<string, TLocal> body)
    {
        var failures = new ConcurrentDictionary<long, Exception>();
        try
        {
            Parallel.ForEach(items, options, local, (item, _, index, state) =>
            {
                try
                {
                    body(item, state);
                }
                catch (Exception e)
                {
                    failures[index] = e;
                    throw;
                }
                return state;
            }, _ => { });
        }
        catch (AggregateException e)
        {
            var first = failures.IsEmpty ? e.Flatten().InnerExceptions[0] : failures.MinBy(f => f.Key).Value;
            ExceptionDispatchInfo.Capture(first).Throw();
        }
    }
}
