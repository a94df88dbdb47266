using System.Security.Cryptography;
using System.Text;
using CsCheck;
using Vigil.Data;
using Vigil.Fod.Scanning;
using Vigil.Nix.Derivations;
using Vigil.Nix.Hashing;
using Vigil.Nix.StorePaths;
using Vigil.Store;
using Vigil.Store.Evaluation;

namespace Vigil.E2E.Tests.Scanning;

/// <summary>
/// A rescan that finds most of a closure already stored (walked by id from the database, only the
/// rest read from files) stores exactly what a full scan of the same revision into an empty
/// database stores: the same FOD records, the same attributes reaching each, the same counts. Random
/// derivation graphs, written as <c>.drv</c> files into a plain directory (no Nix needed), scanned as
/// two overlapping revisions.
/// </summary>
public sealed class IncrementalEquivalenceTests
{
    /// <summary>A derivation of the generated graph: FOD or not, and its inputs (indexes of later nodes; the last one is named as an input source when <c>AsSource</c>).</summary>
    private sealed record Node(bool IsFod, int[] Inputs, bool AsSource);

    private sealed record Case(Node[] Nodes, int[] RootsA, int[] RootsB);

    private static readonly Gen<Case> Cases =
        from count in Gen.Int[2, 40]
        from nodes in Gen.Int[0, 1_000_000].Array[count]
        from rootsA in Gen.Int[0, count - 1].Array[1, 6]
        from rootsB in Gen.Int[0, count - 1].Array[1, 6]
        select new Case(
            [.. nodes.Select((r, i) => new Node(
                r % 5 < 2,
                // Inputs only among later nodes, so the graph has no cycle; FODs take few (their fetcher's tools).
                [.. Enumerable.Range(i + 1, count - i - 1).Where(j => (r / 7 + j * 31) % (r % 5 < 2 ? 7 : 3) == 0).Take(4)],
                r % 11 == 0))],
            rootsA.Distinct().ToArray(),
            rootsB.Distinct().ToArray());

    [Fact]
    public async Task An_incremental_scan_stores_what_a_full_scan_stores()
    {
        var sample = 0;
        await Cases.SampleAsync(async c =>
        {
            var dir = Directory.CreateTempSubdirectory("vigil-incr-").FullName;
            try
            {
                var location = new StoreLocation(StoreDir.Default, dir);
                var paths = WriteDrvs(c.Nodes, dir, $"s{Interlocked.Increment(ref sample)}");
                var listA = WriteRoots(Path.Combine(dir, "a.jsonl"), c.RootsA, paths);
                var listB = WriteRoots(Path.Combine(dir, "b.jsonl"), c.RootsB, paths);

                var incremental = Path.Combine(dir, "incremental.db");
                await ScanAsync(location, incremental, listA, "a");
                var rescan = await ScanAsync(location, incremental, listB, "b");
                var full = Path.Combine(dir, "full.db");
                var fresh = await ScanAsync(location, full, listB, "b");

                var closureA = Closure(c.Nodes, c.RootsA);
                var closureB = Closure(c.Nodes, c.RootsB);
                Assert.Equal(closureB.Count, fresh.DrvsRead);
                Assert.Equal(closureB.Except(closureA).Count(), rescan.DrvsRead);
                Assert.Equal(closureB.Intersect(closureA).Count(), rescan.DrvsKnown);
                Assert.Empty(rescan.Errors);

                var stored = await FodsAsync(incremental, "b");
                Assert.Equal(await FodsAsync(full, "b"), stored);
                // And both are right: every FOD of the closure, each with the attributes that reach it.
                var expected = closureB.Where(n => c.Nodes[n].IsFod)
                    .Select(n => $"{paths[n]} [{string.Join(",", c.RootsB.Where(r => Closure(c.Nodes, [r]).Contains(n)).Select(r => $"p{r}").Order(StringComparer.Ordinal))}]")
                    .Order(StringComparer.Ordinal);
                Assert.Equal(expected, stored.Select(s => s[..s.IndexOf('|', StringComparison.Ordinal)] + " [" + s[(s.IndexOf("|attrs=", StringComparison.Ordinal) + 7)..s.LastIndexOf('|')] + "]"));
            }
            finally
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(dir, recursive: true);
            }
        }, iter: 40);
    }

    private static async Task<ScanResult> ScanAsync(StoreLocation location, string db, string roots, string revision)
    {
        await using var database = await VigilDatabase.OpenAsync(db);
        return await new FodScanner(database, new DerivationReader(location)).ScanAsync(new JsonLinesEvaluator(location), new EvalTarget(roots), revision);
    }

    /// <summary>A revision's FODs as text: drv path, the record's fields, the attributes (sorted) and their count.</summary>
    private static async Task<List<string>> FodsAsync(string db, string revision)
    {
        await using var database = await VigilDatabase.OpenAsync(db);
        var info = await database.FindRevisionAsync(revision);
        return [.. (await database.ListFodsAsync(info!.Id)).Select(f =>
            $"{f.Fod.DrvPath}|{f.Fod.OutputPath}|{f.Fod.HashSri}|{f.Fod.Fetcher}|{string.Join(" ", f.Fod.Urls)}|{f.Fod.RecipeHash}|attrs={string.Join(",", f.Attrs.Order(StringComparer.Ordinal))}|{f.AttrCount}")];
    }

    private static HashSet<int> Closure(Node[] nodes, IEnumerable<int> roots)
    {
        var seen = new HashSet<int>();
        var stack = new Stack<int>(roots);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (seen.Add(n))
            {
                foreach (var i in nodes[n].Inputs)
                {
                    stack.Push(i);
                }
            }
        }
        return seen;
    }

    private static string WriteRoots(string file, int[] roots, string[] paths)
    {
        File.WriteAllLines(file, roots.Select(r => $$"""{"attr":"p{{r}}","drvPath":"{{paths[r]}}"}"""));
        return file;
    }

    /// <summary>Writes every node as a <c>.drv</c> file (last nodes first, as their paths are needed by earlier ones' inputs); returns the paths.</summary>
    private static string[] WriteDrvs(Node[] nodes, string dir, string salt)
    {
        var paths = new string[nodes.Length];
        for (var i = nodes.Length - 1; i >= 0; i--)
        {
            var node = nodes[i];
            var name = $"n{i}";
            var outPath = StorePath($"out:{salt}:{i}", name);
            var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"content:{salt}:{i}")));
            var inputs = node.Inputs.Select(j => paths[j]).ToList();
            List<string> sources = node.AsSource && inputs.Count > 0 ? [inputs[^1]] : [];
            inputs.RemoveAll(sources.Contains);
            var env = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["builder"] = "/bin/sh",
                ["name"] = name,
                ["out"] = outPath,
                ["system"] = "x86_64-linux",
            };
            if (node.IsFod)
            {
                env["outputHash"] = digest;
                env["outputHashAlgo"] = "sha256";
                env["outputHashMode"] = "flat";
                env["urls"] = $"https://example.org/{salt}/{name}.tar.gz";
            }
            var drv = new Derivation(
                name,
                [new DerivationOutput("out", outPath, node.IsFod ? "sha256" : "", node.IsFod ? digest : "")],
                [.. inputs.Order(StringComparer.Ordinal).Select(p => new InputDerivation(p, ["out"]))],
                sources,
                "x86_64-linux"u8.ToArray(),
                "/bin/sh"u8.ToArray(),
                [],
                [.. env.Select(kv => new EnvVariable(Encoding.UTF8.GetBytes(kv.Key), Encoding.UTF8.GetBytes(kv.Value)))]);
            paths[i] = StorePath($"drv:{salt}:{i}", name + ".drv");
            File.WriteAllBytes(Path.Combine(dir, paths[i]["/nix/store/".Length..]), ATermWriter.Write(drv));
        }
        return paths;
    }

    private static string StorePath(string key, string name) =>
        "/nix/store/" + Nix32.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 20)) + "-" + name;
}
