using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

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
        var result = new ConcurrentDictionary<string, LoadedDerivation>(StringComparer.Ordinal);
        var frontier = roots.Distinct(StringComparer.Ordinal).ToList();
        var seen = new HashSet<string>(frontier, StringComparer.Ordinal);
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
                var loaded = reader.Load(path, check);
                result[path] = loaded;
                foreach (var input in loaded.Derivation.InputDerivations)
                {
                    next.Add(input.Path);
                }
                foreach (var source in loaded.Derivation.InputSources)
                {
                    if (source.EndsWith(".drv", StringComparison.Ordinal))
                    {
                        next.Add(source);
                    }
                }
            });
            progress?.Invoke(result.Count);
            frontier = next.Where(seen.Add).ToList();
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
