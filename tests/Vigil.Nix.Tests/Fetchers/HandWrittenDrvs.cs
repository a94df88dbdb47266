using System.Security.Cryptography;
using System.Text;
using Vigil.Nix.Derivations;
using Vigil.Nix.Hashing;
using Vigil.Nix.StorePaths;

namespace Vigil.Nix.Tests.Fetchers;

/// <summary>
/// A little store of <c>.drv</c> files for the fetcher tests: ATerm text written field by field the
/// way Nix 2.8 writes it (docs/nix-formats.md §3), parsed by the real reader, with the drv path and
/// the FOD output path computed as Nix computes them, so every test derivation is one Nix could have
/// produced. Verbatim ATerms from real Nix can be added too.
/// </summary>
internal sealed class HandWrittenDrvs
{
    private readonly Dictionary<string, Derivation> _drvs = new(StringComparer.Ordinal);

    public Derivation? Load(string drvPath) => _drvs.GetValueOrDefault(drvPath);

    public Derivation this[string drvPath] => _drvs[drvPath];

    /// <summary>A plausible store path for a tool the env mentions (bash, curl…): valid shape, fake hash.</summary>
    public static string ToolPath(string name) =>
        StoreDir.Default.Prefix + Nix32.Encode(SHA1.HashData(Encoding.UTF8.GetBytes(name))) + "-" + name;

    /// <summary>Adds an ATerm exactly as given; returns its drv path.</summary>
    public string AddATerm(string name, string aterm)
    {
        var bytes = Encoding.UTF8.GetBytes(aterm);
        var drv = ATermReader.Parse(bytes, name);
        var path = StoreDir.Default.Print(DerivationPaths.DrvPath(drv, bytes, StoreDir.Default));
        _drvs[path] = drv;
        return path;
    }

    /// <summary>
    /// Writes an FOD: output path from (method, hash, name), env completed with <c>name</c>,
    /// <c>out</c>, <c>builder</c> and <c>system</c> as the derivation primop does, entries sorted.
    /// </summary>
    public string AddFod(
        string name,
        ContentAddressMethod method,
        NixHash hash,
        IEnumerable<KeyValuePair<string, string>> env,
        IEnumerable<string>? inputDrvs = null,
        string? builder = null,
        IEnumerable<string>? args = null,
        bool structuredAttrs = false)
    {
        var outPath = StoreDir.Default.Print(StoreDir.Default.MakeFixedOutputPath(method, hash, name));
        var algo = (method == ContentAddressMethod.Recursive ? "r:" : "") + hash.Algorithm.Name();
        builder ??= ToolPath("bash-5.2p37") + "/bin/bash";
        args ??= ["-e", ToolPath("builder.sh")];
        var outputs = $"[(\"out\",\"{outPath}\",\"{algo}\",\"{hash.ToBase16()}\")]";
        var all = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in env)
        {
            all[key] = value;
        }
        if (!structuredAttrs)
        {
            all.TryAdd("builder", builder);
            all.TryAdd("name", name);
            all.TryAdd("system", "x86_64-linux");
        }
        all["out"] = outPath;
        return AddATerm(name, Derive(outputs, inputDrvs ?? [], builder, args, all));
    }

    /// <summary>An input-addressed derivation (such as <c>mirrors-list</c>) with a made-up but well-formed output path.</summary>
    public string AddInputAddressed(string name, IEnumerable<KeyValuePair<string, string>> env, string? builder = null)
    {
        var outPath = ToolPath(name);
        builder ??= ToolPath("bash-5.2p37") + "/bin/bash";
        var all = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in env)
        {
            all[key] = value;
        }
        all.TryAdd("builder", builder);
        all.TryAdd("name", name);
        all.TryAdd("system", "x86_64-linux");
        all["out"] = outPath;
        return AddATerm(name, Derive($"[(\"out\",\"{outPath}\",\"\",\"\")]", [], builder, ["-e", ToolPath("write-mirror-list.sh")], all));
    }

    /// <summary>The output path of a derivation already added.</summary>
    public string OutPath(string drvPath) => _drvs[drvPath].Outputs[0].Path;

    private static string Derive(string outputs, IEnumerable<string> inputDrvs, string builder, IEnumerable<string> args, SortedDictionary<string, string> env)
    {
        var text = new StringBuilder("Derive(");
        text.Append(outputs).Append(",[");
        text.AppendJoin(',', inputDrvs.Order(StringComparer.Ordinal).Select(d => $"(\"{d}\",[\"out\"])"));
        text.Append("],[],\"x86_64-linux\",");
        Quote(text, builder).Append(",[");
        var first = true;
        foreach (var arg in args)
        {
            if (!first)
            {
                text.Append(',');
            }
            first = false;
            Quote(text, arg);
        }
        text.Append("],[");
        first = true;
        foreach (var (key, value) in env)
        {
            if (!first)
            {
                text.Append(',');
            }
            first = false;
            text.Append('(');
            Quote(text, key).Append(',');
            Quote(text, value).Append(')');
        }
        return text.Append("])").ToString();
    }

    /// <summary>Nix's escaping printer: only <c>" \ LF CR TAB</c> (§3.3).</summary>
    private static StringBuilder Quote(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => text.Append("\\\""),
                '\\' => text.Append("\\\\"),
                '\n' => text.Append("\\n"),
                '\r' => text.Append("\\r"),
                '\t' => text.Append("\\t"),
                _ => text.Append(c),
            };
        }
        return text.Append('"');
    }
}
