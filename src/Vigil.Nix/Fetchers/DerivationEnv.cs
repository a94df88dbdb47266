using System.Text;
using Vigil.Nix.Derivations;

namespace Vigil.Nix.Fetchers;

/// <summary>
/// A derivation's environment as text, whichever way it was written: plain env entries, or the
/// top-level keys of <c>__json</c> for <c>__structuredAttrs</c> derivations (where only
/// <c>__json</c> and the output paths are real env entries).
/// </summary>
internal static class DerivationEnv
{
    private const int StackKeyLimit = 256;

    internal static Func<string, string?> For(Derivation drv)
    {
        if (drv.GetEnv("__json"u8) is { } json)
        {
            var attrs = StructuredAttrs.Parse(json);
            return key => attrs.TryGetValue(key, out var value) ? value : Plain(drv, key);
        }
        return key => Plain(drv, key);
    }

    /// <summary>As <see cref="For"/>, over plain env entries given as text.</summary>
    internal static Func<string, string?> Over(Func<string, string?> plain)
    {
        if (plain("__json") is { } json)
        {
            var attrs = StructuredAttrs.Parse(Encoding.UTF8.GetBytes(json));
            return key => attrs.TryGetValue(key, out var value) ? value : plain(key);
        }
        return plain;
    }

    /// <summary>Every key and text value (structured attrs first, then the real env entries).</summary>
    internal static IEnumerable<KeyValuePair<string, string>> All(Derivation drv)
    {
        if (drv.GetEnv("__json"u8) is { } json)
        {
            foreach (var pair in StructuredAttrs.Parse(json))
            {
                yield return pair;
            }
        }
        foreach (var variable in drv.Env)
        {
            yield return new(Encoding.UTF8.GetString(variable.Key), Encoding.UTF8.GetString(variable.Value));
        }
    }

    /// <summary>An env lookup that encodes the key on the stack: the extractor asks for ~20 keys per FOD.</summary>
    private static string? Plain(Derivation drv, string key)
    {
        var max = Encoding.UTF8.GetMaxByteCount(key.Length);
        Span<byte> buffer = max <= StackKeyLimit ? stackalloc byte[StackKeyLimit] : new byte[max];
        var length = Encoding.UTF8.GetBytes(key, buffer);
        var value = drv.GetEnv(buffer[..length]);
        return value is null ? null : Encoding.UTF8.GetString(value);
    }
}
