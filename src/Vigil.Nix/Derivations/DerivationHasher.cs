using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Vigil.Nix.StorePaths;

namespace Vigil.Nix.Derivations;

/// <summary>
/// Nix's <c>hashDerivationModulo</c> (docs/nix-formats.md §4). A fixed-output derivation hashes
/// to <c>sha256("fixed:out:" + algo + ":" + hex + ":" + outPath)</c>, whatever its recipe (outPath
/// as Nix computes it from method, hash and name: it never reads a fixed output's path back); any
/// other derivation hashes its ATerm with each input derivation replaced by that input's
/// (unmasked) modulo hash, inputs with equal hashes merged into one entry. The input derivations
/// are obtained through the loader the caller injects: this type does no I/O of its own.
/// Results are memoised per drv path and the walk is iterative, so deep graphs cannot overflow the stack.
/// </summary>
public sealed class DerivationHasher
{
    private static readonly byte[] ImpureHash = SHA256.HashData("impure"u8);

    /// <summary>A derivation bigger than this is written into a buffer of its own, not kept for the next.</summary>
    private const int MaxKeptBuffer = 1 << 20;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    private readonly Func<string, Derivation> _load;
    private readonly StoreDir _storeDir;
    private readonly ConcurrentDictionary<string, byte[]> _unmasked = new(StringComparer.Ordinal);

    /// <param name="load">Returns the parsed derivation of a full <c>.drv</c> path; may throw.</param>
    /// <param name="storeDir">The store the derivations belong to (fixed output paths depend on it).</param>
    public DerivationHasher(Func<string, Derivation> load, StoreDir? storeDir = null)
    {
        _load = load;
        _storeDir = storeDir ?? StoreDir.Default;
    }

    /// <summary>Number of distinct derivations hashed so far.</summary>
    public int CachedCount => _unmasked.Count;

    /// <summary>
    /// The modulo hash. With <paramref name="mask"/> (for computing the derivation's own output
    /// paths) output paths and the env entries named after outputs are blanked.
    /// </summary>
    public byte[] HashModulo(Derivation drv, bool mask)
    {
        ArgumentNullException.ThrowIfNull(drv);
        if (drv.IsFixedOutput)
        {
            return FixedOutputHash(drv, _storeDir);
        }
        if (IsImpure(drv))
        {
            return ImpureHash;
        }
        foreach (var input in drv.InputDerivations)
        {
            EnsureUnmasked(input.Path);
        }
        return HashWithInputs(drv, mask);
    }

    /// <summary>The unmasked modulo hash of an input derivation, by path.</summary>
    public byte[] HashModulo(string drvPath)
    {
        EnsureUnmasked(drvPath);
        return _unmasked[drvPath];
    }

    /// <summary>
    /// Both modulo hashes of a derivation whose input derivations' (unmasked) modulo hashes the
    /// caller has: the unmasked one (for its dependents) and the masked one (for its own output
    /// paths), from one list of input replacements. For callers that hash a closure in dependency
    /// order (every input before its dependents), parse each derivation once and keep only the
    /// hashes: nothing is loaded, looked up or memoised here.
    /// </summary>
    /// <param name="inputModulo">The unmasked modulo hash of each of <c>drv.InputDerivations</c>, in that order.</param>
    public static (byte[] Unmasked, byte[] Masked) HashModulo(Derivation drv, IReadOnlyList<byte[]> inputModulo, StoreDir storeDir)
    {
        ArgumentNullException.ThrowIfNull(drv);
        ArgumentNullException.ThrowIfNull(inputModulo);
        ArgumentNullException.ThrowIfNull(storeDir);
        if (inputModulo.Count != drv.InputDerivations.Count)
        {
            throw new ArgumentException($"{inputModulo.Count} input hashes for {drv.InputDerivations.Count} input derivations", nameof(inputModulo));
        }
        if (drv.IsFixedOutput)
        {
            var hash = FixedOutputHash(drv, storeDir);
            return (hash, hash);
        }
        if (IsImpure(drv))
        {
            return (ImpureHash, ImpureHash);
        }
        var replacements = Replacements(drv, inputModulo);
        return (HashWithInputs(drv, replacements, mask: false), HashWithInputs(drv, replacements, mask: true));
    }

    /// <summary>
    /// The modulo hash of a fixed-output derivation. The path in it is computed, not the one the
    /// file states: Nix 2.8 drops a fixed output's stored path when it parses a <c>.drv</c>, so an
    /// edited path changes nothing downstream (only the file's own path and its output check).
    /// </summary>
    public static byte[] FixedOutputHash(Derivation drv, StoreDir storeDir)
    {
        ArgumentNullException.ThrowIfNull(drv);
        ArgumentNullException.ThrowIfNull(storeDir);
        var output = drv.Outputs[0];
        return FixedOutputHash(drv, storeDir.Print(storeDir.MakeFixedOutputPath(output.Method, output.FixedHash!, drv.Name)));
    }

    /// <summary>As <see cref="FixedOutputHash(Derivation, StoreDir)"/>, with the output path already computed from (method, hash, name).</summary>
    public static byte[] FixedOutputHash(Derivation drv, string outputPath)
    {
        ArgumentNullException.ThrowIfNull(drv);
        ArgumentNullException.ThrowIfNull(outputPath);
        var output = drv.Outputs[0];
        var text = "fixed:out:" + output.MethodAlgo + ":" + output.FixedHash!.ToBase16() + ":" + outputPath;
        return SHA256.HashData(Encoding.UTF8.GetBytes(text));
    }

    private byte[] HashWithInputs(Derivation drv, bool mask) =>
        HashWithInputs(drv, Replacements(drv, drv.InputDerivations.Select(i => _unmasked[i.Path]).ToList()), mask);

    private static bool IsImpure(Derivation drv) => drv.Outputs.Count > 0 && drv.Outputs.All(o => o.Kind == OutputKind.Impure);

    /// <summary>
    /// The input derivation list as hashed: each input's modulo hash (hex, sorted) and the union
    /// of the outputs used from inputs with that hash. Sorting the keys once, and merging only
    /// where two inputs share a hash, costs a fraction of a sorted map of sorted sets per derivation.
    /// </summary>
    private static List<KeyValuePair<string, IReadOnlyCollection<string>>> Replacements(Derivation drv, IReadOnlyList<byte[]> inputModulo)
    {
        var count = inputModulo.Count;
        var keys = new string[count];
        var order = new int[count];
        for (var i = 0; i < count; i++)
        {
            keys[i] = Convert.ToHexStringLower(inputModulo[i]);
            order[i] = i;
        }
        Array.Sort(keys, order, StringComparer.Ordinal);
        var replacements = new List<KeyValuePair<string, IReadOnlyCollection<string>>>(count);
        for (var i = 0; i < count;)
        {
            var end = i + 1;
            while (end < count && string.Equals(keys[end], keys[i], StringComparison.Ordinal))
            {
                end++;
            }
            var first = drv.InputDerivations[order[i]].Outputs;
            IReadOnlyCollection<string> outputs;
            if (end == i + 1 && IsStrictlySorted(first))
            {
                outputs = first;
            }
            else
            {
                var union = new SortedSet<string>(StringComparer.Ordinal);
                for (var j = i; j < end; j++)
                {
                    union.UnionWith(drv.InputDerivations[order[j]].Outputs);
                }
                outputs = union;
            }
            replacements.Add(new(keys[i], outputs));
            i = end;
        }
        return replacements;
    }

    /// <summary>In byte order without repeats, as the parser leaves an input's outputs (a model built otherwise may not be).</summary>
    private static bool IsStrictlySorted(IReadOnlyList<string> names)
    {
        for (var i = 1; i < names.Count; i++)
        {
            if (string.CompareOrdinal(names[i - 1], names[i]) >= 0)
            {
                return false;
            }
        }
        return true;
    }

    private static byte[] HashWithInputs(Derivation drv, List<KeyValuePair<string, IReadOnlyCollection<string>>> replacements, bool mask)
    {
        // One buffer per thread, reused: a new one per derivation was most of what a 41k-drv
        // check allocated, and the collector's clearing and copying of it cost more than writing.
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        ATermWriter.Write(drv, buffer, replacements, mask);
        var hash = SHA256.HashData(buffer.WrittenSpan);
        if (buffer.Capacity > MaxKeptBuffer)
        {
            t_buffer = null;
        }
        return hash;
    }

    private void EnsureUnmasked(string root)
    {
        if (_unmasked.ContainsKey(root))
        {
            return;
        }
        // Post-order walk: a derivation is hashed once all its inputs are. A node may sit on the
        // stack twice (reached by two parents); the second pop finds it done.
        var loaded = new Dictionary<string, Derivation>(StringComparer.Ordinal);
        var inProgress = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<(string Path, bool Expanded)>();
        stack.Push((root, false));
        while (stack.Count > 0)
        {
            var (path, expanded) = stack.Pop();
            if (_unmasked.ContainsKey(path))
            {
                continue;
            }
            if (!loaded.TryGetValue(path, out var drv))
            {
                drv = _load(path);
                loaded.Add(path, drv);
            }
            if (drv.IsFixedOutput)
            {
                _unmasked[path] = FixedOutputHash(drv, _storeDir);
                continue;
            }
            if (!expanded)
            {
                if (!inProgress.Add(path))
                {
                    throw new NixFormatException("derivation", 0, $"derivation graph has a cycle through '{path}'");
                }
                stack.Push((path, true));
                foreach (var input in drv.InputDerivations)
                {
                    if (!_unmasked.ContainsKey(input.Path))
                    {
                        if (inProgress.Contains(input.Path))
                        {
                            throw new NixFormatException("derivation", 0, $"derivation graph has a cycle through '{input.Path}'");
                        }
                        stack.Push((input.Path, false));
                    }
                }
                continue;
            }
            inProgress.Remove(path);
            loaded.Remove(path);
            _unmasked[path] = IsImpure(drv)
                ? ImpureHash
                : HashWithInputs(drv, mask: false);
        }
    }
}
