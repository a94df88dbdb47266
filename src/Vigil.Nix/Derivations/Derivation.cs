using System.Text;

namespace Vigil.Nix.Derivations;

/// <summary>
/// A parsed <c>.drv</c>: the fields of the ATerm in canonical (sorted) order, plus the name,
/// which the ATerm does not hold: it comes from the <c>.drv</c> file name.
/// </summary>
public sealed class Derivation
{
    public Derivation(
        string name,
        IReadOnlyList<DerivationOutput> outputs,
        IReadOnlyList<InputDerivation> inputDerivations,
        IReadOnlyList<string> inputSources,
        byte[] platform,
        byte[] builder,
        IReadOnlyList<byte[]> args,
        IReadOnlyList<EnvVariable> env)
    {
        Name = name;
        Outputs = outputs;
        InputDerivations = inputDerivations;
        InputSources = inputSources;
        Platform = platform;
        Builder = builder;
        Args = args;
        Env = env;
    }

    public string Name { get; }

    public IReadOnlyList<DerivationOutput> Outputs { get; }

    public IReadOnlyList<InputDerivation> InputDerivations { get; }

    public IReadOnlyList<string> InputSources { get; }

    public byte[] Platform { get; }

    public byte[] Builder { get; }

    public IReadOnlyList<byte[]> Args { get; }

    /// <summary>Sorted by key in byte order; keys unique.</summary>
    public IReadOnlyList<EnvVariable> Env { get; }

    /// <summary>True for a fixed-output derivation: exactly one output, <c>out</c>, with a fixed hash.</summary>
    public bool IsFixedOutput => Outputs.Count == 1 && Outputs[0].Kind == OutputKind.Fixed && Outputs[0].Name == "out";

    public DerivationOutput? FindOutput(string name)
    {
        foreach (var output in Outputs)
        {
            if (output.Name == name)
            {
                return output;
            }
        }
        return null;
    }

    /// <summary>Binary search of the sorted environment.</summary>
    public byte[]? GetEnv(ReadOnlySpan<byte> key)
    {
        int lo = 0, hi = Env.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = Env[mid].Key.AsSpan().SequenceCompareTo(key);
            if (c == 0)
            {
                return Env[mid].Value;
            }
            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return null;
    }

    /// <summary>An environment value decoded as UTF-8, for keys whose values are text (url, name…).</summary>
    public string? GetEnvString(string key)
    {
        var value = GetEnv(Encoding.UTF8.GetBytes(key));
        return value is null ? null : Encoding.UTF8.GetString(value);
    }

    /// <summary>
    /// Every store path this derivation's file refers to: input sources and input derivations, as a
    /// set in byte order. A path can be both (a <c>drvPath</c> string in the environment puts its
    /// whole closure into inputSrcs and inputDrvs); Nix counts it once in the <c>.drv</c> path.
    /// </summary>
    public IEnumerable<string> References
    {
        get
        {
            // One array sorted in place and deduplicated: the LINQ chain (a hash set, an ordered
            // buffer, enumerators) was a tenth of `drv check -r`'s CPU over 41k derivations.
            var all = new string[InputSources.Count + InputDerivations.Count];
            for (var i = 0; i < InputSources.Count; i++)
            {
                all[i] = InputSources[i];
            }
            for (var i = 0; i < InputDerivations.Count; i++)
            {
                all[InputSources.Count + i] = InputDerivations[i].Path;
            }
            Array.Sort(all, StringComparer.Ordinal);
            var count = 0;
            foreach (var path in all)
            {
                if (count == 0 || !string.Equals(all[count - 1], path, StringComparison.Ordinal))
                {
                    all[count++] = path;
                }
            }
            return count == all.Length ? all : all[..count];
        }
    }
}
