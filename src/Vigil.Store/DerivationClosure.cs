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
        return Walk(roots, path =>
        {
            var loaded = reader.Load(path, check);
            return (loaded, loaded.Derivation);
        }, parallelism, progress, cancellationToken);
    }

    /// <summary>
    /// The closure as raw file bytes, each file parsed once (so a malformed one fails here) but no
    /// parsed model kept. For whole-closure passes over tens of thousands of derivations: keeping
    /// every parsed derivation (or one array per file) alive makes the garbage collector copy
    /// millions of objects between generations, which costs more than parsing each file again.
    /// The bytes live in a few large chunks (<see cref="ByteArena"/>).
    /// </summary>
    /// <param name="recursive">False to read only the roots themselves.</param>
    public static IReadOnlyDictionary<string, ReadOnlyMemory<byte>> ReadFiles(
        DerivationReader reader,
        IEnumerable<string> roots,
        bool recursive = true,
        int parallelism = 0,
        Action<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        using var arenas = new ThreadLocal<ByteArena>(() => new ByteArena());
        return Walk(roots, path =>
        {
            var bytes = reader.ReadFile(path, arenas.Value!);
            var drv = reader.Parse(path, bytes.Span);
            return (bytes, recursive ? drv : null);
        }, parallelism, progress, cancellationToken);
    }

    /// <summary>
    /// Reads and parses every derivation of the closure once, keeping only what
    /// <paramref name="keep"/> makes of it (called in parallel) and dropping the parsed model.
    /// </summary>
    /// <param name="recursive">False to visit only the roots themselves.</param>
    public static IReadOnlyDictionary<string, T> Map<T>(
        DerivationReader reader,
        IEnumerable<string> roots,
        bool recursive,
        Func<string, Derivation, T> keep,
        int parallelism = 0,
        Action<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(keep);
        return Walk(roots, path =>
        {
            var drv = reader.Parse(path, reader.ReadFile(path));
            return (keep(path, drv), recursive ? drv : null);
        }, parallelism, progress, cancellationToken);
    }

    /// <summary>
    /// Visits the roots and, level by level, every derivation they lead to; <c>visit</c> returns
    /// what to keep and the parsed derivation whose inputs to follow (null: follow none).
    /// </summary>
    private static ConcurrentDictionary<string, T> Walk<T>(
        IEnumerable<string> roots,
        Func<string, (T Value, Derivation? Inputs)> visit,
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
            ForEachUnwrapped(frontier, options, path =>
            {
                var (value, drv) = visit(path);
                result[path] = value;
                if (drv is null)
                {
                    return;
                }
                foreach (var input in drv.InputDerivations)
                {
                    if (seen.TryAdd(input.Path, true))
                    {
                        next.Add(input.Path);
                    }
                }
                foreach (var source in drv.InputSources)
                {
                    if (source.EndsWith(".drv", StringComparison.Ordinal) && seen.TryAdd(source, true))
                    {
                        next.Add(source);
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
    /// </summary>
    private static void ForEachUnwrapped(List<string> items, ParallelOptions options, Action<string> body)
    {
        try
        {
            Parallel.ForEach(items, options, body);
        }
        catch (AggregateException e)
        {
            ExceptionDispatchInfo.Capture(e.Flatten().InnerExceptions[0]).Throw();
        }
    }
}
