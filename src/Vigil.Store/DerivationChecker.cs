using System.Collections.Concurrent;
using System.Text;
using Vigil.Nix;
using Vigil.Nix.Derivations;
using Vigil.Nix.StorePaths;

namespace Vigil.Store;

/// <summary>
/// Re-derives, for each loaded derivation, its <c>.drv</c> path, its canonical ATerm bytes, and
/// every output path and output env entry, and reports where the store disagrees. Input
/// derivations outside the loaded set are read on demand (their modulo hash is needed).
/// </summary>
public sealed class DerivationChecker
{
    private readonly IReadOnlyCollection<string> _paths;
    private readonly Func<string, LoadedDerivation> _load;
    private readonly StoreDir _storeDir;
    private readonly DerivationHasher _hasher;

    public DerivationChecker(IReadOnlyDictionary<string, LoadedDerivation> loaded, DerivationReader reader, StoreDir storeDir)
        : this(
            Keys(loaded),
            path => loaded[path],
            path => loaded.TryGetValue(path, out var d) ? d.Derivation : reader.Read(path),
            storeDir)
    {
        ArgumentNullException.ThrowIfNull(reader);
    }

    /// <summary>
    /// Checks the files of <see cref="DerivationClosure.ReadFiles"/>, parsing each when it is
    /// needed and dropping it after, so no parsed model of the whole closure is ever alive.
    /// </summary>
    public DerivationChecker(IReadOnlyDictionary<string, ReadOnlyMemory<byte>> files, DerivationReader reader, StoreDir storeDir)
        : this(
            Keys(files),
            path => reader.Load(path, files[path].Span, check: true),
            path => files.TryGetValue(path, out var bytes) ? reader.Parse(path, bytes.Span) : reader.Read(path),
            storeDir)
    {
        ArgumentNullException.ThrowIfNull(reader);
    }

    private DerivationChecker(IReadOnlyCollection<string> paths, Func<string, LoadedDerivation> load, Func<string, Derivation> loadInput, StoreDir storeDir)
    {
        _paths = paths;
        _load = load;
        _storeDir = storeDir;
        _hasher = new DerivationHasher(loadInput, storeDir);
    }

    /// <summary>All mismatches, ordered by derivation path.</summary>
    public IReadOnlyList<DrvMismatch> CheckAll(CancellationToken cancellationToken = default)
    {
        var found = new ConcurrentBag<DrvMismatch>();
        Parallel.ForEach(
            _paths,
            new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount },
            path =>
            {
                foreach (var m in Check(_load(path)))
                {
                    found.Add(m);
                }
            });
        return found.OrderBy(m => m.DrvPath, StringComparer.Ordinal).ThenBy(m => m.What, StringComparer.Ordinal).ToList();
    }

    private static IReadOnlyCollection<string> Keys<T>(IReadOnlyDictionary<string, T> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return map.Keys.ToList();
    }

    public IEnumerable<DrvMismatch> Check(LoadedDerivation loaded)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        var result = new List<DrvMismatch>();
        var drv = loaded.Derivation;
        if (!loaded.IsCanonical)
        {
            result.Add(new DrvMismatch(loaded.Path, "aterm", "bytes differ from the canonical serialisation", "canonical ATerm as Nix writes it"));
        }
        var drvPath = _storeDir.Print(DerivationPaths.DrvPathFromDigest(drv, loaded.FileSha256, _storeDir));
        if (drvPath != loaded.Path)
        {
            result.Add(new DrvMismatch(loaded.Path, "drvPath", loaded.Path, drvPath));
        }
        IReadOnlyList<ExpectedOutput> expected;
        try
        {
            expected = DerivationPaths.ExpectedOutputs(drv, _hasher, _storeDir);
        }
        catch (Exception e) when (e is StoreException or NixFormatException)
        {
            result.Add(new DrvMismatch(loaded.Path, "error", e.Message, "all input derivations readable"));
            return result;
        }
        foreach (var want in expected)
        {
            var output = drv.FindOutput(want.Name)!;
            if (output.Path != want.Path)
            {
                result.Add(new DrvMismatch(loaded.Path, $"output {want.Name} path", output.Path, want.Path));
            }
            var env = drv.GetEnv(Encoding.UTF8.GetBytes(want.Name));
            var envText = env is null ? "(missing)" : Encoding.UTF8.GetString(env);
            if (env is null || !env.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(want.EnvValue)))
            {
                result.Add(new DrvMismatch(loaded.Path, $"output {want.Name} env", envText, want.EnvValue));
            }
        }
        return result;
    }
}
