using System.Text.Json;
using Vigil.E2E.Tests.Evaluation;
using static Vigil.E2E.Tests.Evaluation.NixTestEnvironment;

namespace Vigil.E2E.Tests.Scanning;

/// <summary>
/// What real Nix says a package set is: the roots <c>nix-instantiate</c> gives each attribute, and
/// the whole derivation graph of <c>nix show-derivation -r</c> over them, with every FOD (an
/// <c>out</c> output with a hash) as the scanner must store it. Graph questions (closures, which
/// attributes reach an FOD) are answered here independently of the scanner's own graph code.
/// </summary>
public sealed class NixOracle
{
    private NixOracle(string storeRoot, IReadOnlyList<(string Attr, string DrvPath)> roots, Dictionary<string, OracleDrv> drvs)
    {
        StoreRoot = storeRoot;
        Roots = roots;
        Drvs = drvs;
        Fods = drvs.Values.Where(d => d.Fod is not null).ToDictionary(d => d.DrvPath, d => d.Fod!, StringComparer.Ordinal);
    }

    public string StoreRoot { get; }

    public string StoreUri => NixTestEnvironment.StoreUri(StoreRoot);

    public IReadOnlyList<(string Attr, string DrvPath)> Roots { get; }

    public IReadOnlyDictionary<string, OracleDrv> Drvs { get; }

    public IReadOnlyDictionary<string, ExpectedFod> Fods { get; }

    /// <summary>Instantiates <paramref name="attrs"/> of <paramref name="file"/> into the store with <c>nix-instantiate</c>, then reads the graph.</summary>
    public static async Task<NixOracle> InstantiateAsync(string storeRoot, string file, IReadOnlyList<string> attrs, IReadOnlyDictionary<string, string>? argstrs = null)
    {
        // One expression listing every root's drvPath: one `-A` per attribute would call the package
        // set's function anew for each, re-evaluating everything shared (a minute for 4,000
        // attributes), and a plain list of derivations would print an alias's derivation only once.
        static string Str(string text) =>
            "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("$", "\\$", StringComparison.Ordinal) + "\"";
        var args = string.Join(" ", (argstrs ?? new Dictionary<string, string>()).Select(a => $"{a.Key} = {Str(a.Value)};"));
        var roots = string.Join(" ", attrs.Select(a => "(s." + string.Join('.', a.Split('.').Select(Str)) + ")"));
        var json = await RunNixAsync("nix-instantiate", "--eval", "--strict", "--json", "--read-write-mode", "--store", NixTestEnvironment.StoreUri(storeRoot),
            "-E", $"let s = import {Str(file)} {{ {args} }}; in map (d: d.drvPath) [ {roots} ]");
        var paths = JsonSerializer.Deserialize<string[]>(string.Join('\n', json))!;
        Assert.Equal(attrs.Count, paths.Length);
        return await ShowAsync(storeRoot, attrs.Zip(paths).ToList());
    }

    /// <summary>Reads the graph of already instantiated roots with <c>nix show-derivation -r</c>.</summary>
    public static async Task<NixOracle> ShowAsync(string storeRoot, IReadOnlyList<(string Attr, string DrvPath)> roots)
    {
        var json = await RunNixAsync("nix", ["--extra-experimental-features", "nix-command", "show-derivation", "-r",
            "--store", NixTestEnvironment.StoreUri(storeRoot), .. roots.Select(r => r.DrvPath).Distinct()]);
        using var doc = JsonDocument.Parse(string.Join('\n', json));
        var drvs = new Dictionary<string, OracleDrv>(StringComparer.Ordinal);
        foreach (var drv in doc.RootElement.EnumerateObject())
        {
            var outputs = drv.Value.GetProperty("outputs");
            var inputs = drv.Value.GetProperty("inputDrvs").EnumerateObject().Select(i => i.Name).Order(StringComparer.Ordinal).ToList();
            var env = drv.Value.GetProperty("env").EnumerateObject().ToDictionary(e => e.Name, e => e.Value.GetString()!, StringComparer.Ordinal);
            ExpectedFod? fod = null;
            string? outPath = null;
            if (outputs.TryGetProperty("out", out var output))
            {
                outPath = output.GetProperty("path").GetString();
                if (output.TryGetProperty("hash", out var hash) && hash.GetString() is { Length: > 0 } hex)
                {
                    var algo = output.GetProperty("hashAlgo").GetString()!;
                    var mode = algo.StartsWith("r:", StringComparison.Ordinal) ? "recursive" : algo.StartsWith("text:", StringComparison.Ordinal) ? "text" : "flat";
                    algo = algo[(algo.IndexOf(':', StringComparison.Ordinal) + 1)..];
                    fod = new ExpectedFod(drv.Name, outPath!, algo, mode, $"{algo}-{Convert.ToBase64String(Convert.FromHexString(hex))}");
                }
            }
            drvs.Add(drv.Name, new OracleDrv(drv.Name, outPath, inputs, env, fod));
        }
        return new NixOracle(storeRoot, roots, drvs);
    }

    /// <summary>Every derivation reachable from <paramref name="from"/> (included), never entering <paramref name="blocked"/> ones.</summary>
    public HashSet<string> Closure(IEnumerable<string> from, IReadOnlySet<string>? blocked = null)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(from.Where(p => blocked is null || !blocked.Contains(p)));
        while (stack.TryPop(out var path))
        {
            if (!seen.Add(path) || !Drvs.TryGetValue(path, out var drv))
            {
                continue;
            }
            foreach (var input in drv.InputDrvs)
            {
                if (blocked is null || !blocked.Contains(input))
                {
                    stack.Push(input);
                }
            }
        }
        return seen;
    }

    /// <summary>The FODs in the closure of <paramref name="from"/>, as <see cref="ExpectedFod.Render"/> lines in drv order.</summary>
    public List<string> FodsOf(IEnumerable<string> from, IReadOnlySet<string>? blocked = null) =>
        Closure(from, blocked).Where(Fods.ContainsKey).Order(StringComparer.Ordinal).Select(p => Fods[p].Render()).ToList();

    /// <summary>All FODs as <see cref="ExpectedFod.Render"/> lines in drv order.</summary>
    public List<string> AllFods() => FodsOf(Roots.Select(r => r.DrvPath));

    /// <summary>For each FOD, the attributes whose closure holds it, by one closure per root.</summary>
    public Dictionary<string, SortedSet<string>> AttrsReaching()
    {
        var reach = Fods.Keys.ToDictionary(k => k, _ => new SortedSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var (attr, drv) in Roots)
        {
            foreach (var path in Closure([drv]))
            {
                if (reach.TryGetValue(path, out var attrs))
                {
                    attrs.Add(attr);
                }
            }
        }
        return reach;
    }

    /// <summary>The root drv paths, one per line, as <c>vigil scan --drvs</c> reads them.</summary>
    public string WriteDrvList(string path)
    {
        File.WriteAllLines(path, Roots.Select(r => r.DrvPath));
        return path;
    }
}
