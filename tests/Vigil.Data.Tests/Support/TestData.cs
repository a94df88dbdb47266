using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Vigil.Nix.Fetchers;
using Vigil.Nix.Hashing;

namespace Vigil.Data.Tests.Support;

/// <summary>
/// Deterministic derivation graphs and FOD records shaped like real ones (nix32 store paths, SRI
/// hashes, every fetcher kind, git revisions, empty and non-ASCII lists), so both dialects see the
/// same awkward data.
/// </summary>
public static class TestData
{
    private static readonly FetcherKind[] Fetchers = Enum.GetValues<FetcherKind>();

    /// <summary>
    /// A graph of <paramref name="count"/> derivations of which every second one is an FOD, each
    /// other one naming up to three earlier nodes (as a closure walked leaves-first), with the FOD records.
    /// </summary>
    public static (RevisionGraph Graph, List<FodRecord> Fods) Graph(int count, string seed = "g")
    {
        var nodes = new List<(string Path, bool IsFod, int[] Inputs)>(count);
        var fods = new List<FodRecord>(count / 2 + 1);
        for (var i = 0; i < count; i++)
        {
            var isFod = i % 2 == 1;
            var inputs = isFod || i < 3 ? [] : new[] { i - 1, i / 2, i / 3 }.Distinct().ToArray();
            nodes.Add((DrvPath(seed, i), isFod, inputs));
            if (isFod)
            {
                fods.Add(Fod(seed, i));
            }
        }
        return (BuildGraph(nodes), fods);
    }

    /// <summary>A graph from its nodes, inputs named by node number.</summary>
    public static RevisionGraph BuildGraph(IReadOnlyList<(string Path, bool IsFod, int[] Inputs)> nodes)
    {
        var inputStart = new int[nodes.Count + 1];
        for (var n = 0; n < nodes.Count; n++)
        {
            inputStart[n + 1] = inputStart[n] + nodes[n].Inputs.Length;
        }
        return new RevisionGraph([.. nodes.Select(n => n.Path)], [.. nodes.Select(n => n.IsFod)], inputStart, [.. nodes.SelectMany(n => n.Inputs)]);
    }

    /// <summary>Every node's path, in node order.</summary>
    public static List<string> Paths(RevisionGraph graph) => [.. Enumerable.Range(0, graph.Count).Select(graph.Path)];

    public static string DrvPath(string seed, int i) => StorePath($"drv:{seed}:{i}", $"pkg-{i}.drv");

    public static FodRecord Fod(string seed, int i)
    {
        var fetcher = Fetchers[(i / 2) % Fetchers.Length];
        var name = i % 7 == 0 ? "source" : $"pkg-{i}.tar.gz";
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"content:{seed}:{i}"));
        var recursive = i % 3 != 0;
        string[] urls = (i % 5) switch
        {
            0 => [],
            1 => [$"https://example.org/dist/pkg-{i}.tar.gz"],
            2 => [$"https://mirror-a.example/pkg-{i}.tar.gz", $"https://mirror-b.example/pkg-{i}.tar.gz", $"mirror://unknown/pkg-{i}"],
            3 => [$"https://example.org/ünïcödé/{i}?a=b&c=d"],
            _ => [$"https://github.com/owner/repo-{i}/archive/{Hex(digest)[..40]}.tar.gz"],
        };
        var rev = fetcher is FetcherKind.Git or FetcherKind.GitHub or FetcherKind.GitLab ? Hex(digest)[..40] : null;
        var recipe = $"fetcher={FetcherNamesForTests(fetcher)}\nunpack={recursive}\n" + string.Join("\n", urls) + (rev is null ? "" : "\nrev=" + rev);
        return new FodRecord(
            DrvPath: DrvPath(seed, i),
            OutputPath: StorePath($"out:{seed}:{i}", name),
            Name: name,
            Algorithm: HashAlgorithmKind.Sha256,
            HashMode: recursive ? "recursive" : "flat",
            HashSri: "sha256-" + Convert.ToBase64String(digest),
            OriginalHash: Nix32.Encode(digest),
            Fetcher: fetcher,
            Urls: urls,
            Rev: rev,
            Recipe: recipe,
            RecipeHash: Hex(SHA256.HashData(Encoding.UTF8.GetBytes(recipe))));
    }

    /// <summary>One line per field, lists spelled out: equal text ⇔ equal records (records compare lists by reference).</summary>
    public static string Render(FodRecord f) =>
        string.Join("|", f.DrvPath, f.OutputPath, f.Name, f.Algorithm, f.HashMode, f.HashSri, f.OriginalHash, f.Fetcher,
            "[" + string.Join(",", f.Urls) + "]", f.Rev ?? "<null>", f.Recipe, f.RecipeHash);

    public static string Render(StoredFod f) => $"{Render(f.Fod)}|attrs=[{string.Join(",", f.Attrs)}]|{f.AttrCount}";

    /// <summary>One line per node, in node order, inputs as node numbers in order: equal lines ⇔ equal graphs.</summary>
    public static List<string> Render(RevisionGraph? graph) => graph is null
        ? ["<no graph>"]
        : [.. Enumerable.Range(0, graph.Count).Select(n => $"{n}|{graph.Path(n)}|{graph.IsFod(n)}|[{string.Join(",", graph.Inputs(n).ToArray())}]")];

    /// <summary>
    /// The nodes as path, flag and input paths, in path order: what a graph says, whatever its node
    /// numbers (a graph stored as a difference reads back renumbered).
    /// </summary>
    public static List<string> Canonical(RevisionGraph? graph) => graph is null
        ? ["<no graph>"]
        : [.. Enumerable.Range(0, graph.Count).Select(n => $"{graph.Path(n)}|{graph.IsFod(n)}|{string.Join(",", graph.Inputs(n).ToArray().Select(graph.Path))}").Order(StringComparer.Ordinal)];

    private static string StorePath(string key, string name) =>
        "/nix/store/" + Nix32.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 20)) + "-" + name;

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    private static string FetcherNamesForTests(FetcherKind kind) => kind.ToString().ToLower(CultureInfo.InvariantCulture);
}
