using System.Text;
using CsCheck;
using Vigil.Data.Tests.Support;

namespace Vigil.Data.Tests;

/// <summary>
/// The <c>revision_graphs</c> blob: any graph round-trips, and any other bytes either decode to a
/// consistent graph or are refused with <see cref="InvalidDataException"/>, never anything else.
/// </summary>
public sealed class RevisionGraphTests
{
    // Whole code points only: a lone surrogate is not text and UTF-8 cannot carry it.
    private static readonly Gen<string> CodePoint = Gen.OneOf(Gen.Int[0, 0x7F], Gen.Int[0x80, 0xD7FF], Gen.Int[0xE000, 0x10FFFF]).Select(char.ConvertFromUtf32);

    private static readonly Gen<string> NodePath = Gen.OneOf(
        Gen.Int[0, 200].Select(i => TestData.DrvPath("gen", i)),
        CodePoint.Array[0, 12].Select(string.Concat),
        Gen.Const(""),
        Gen.Int[128, 300].Select(n => new string('x', n))); // lengths of two LEB128 bytes

    /// <summary>Nodes with paths (some repeated), FOD flags and inputs: none, repeated, the node itself.</summary>
    private static readonly Gen<(string Path, bool IsFod, int[] Inputs)[]> Nodes =
        Gen.Int[0, 40].SelectMany(count =>
            Gen.Select(NodePath, Gen.Bool, Gen.Int[0, Math.Max(count - 1, 0)].Array[0, 6])
                .Array[count]
                .Select(nodes => count == 0 ? [] : nodes.Select((n, i) => i % 5 == 4 ? (nodes[i / 2].Item1, n.Item2, n.Item3) : n).ToArray()));

    private static readonly Gen<byte[]> Encoded = Nodes.Select(n => TestData.BuildGraph(n).Encode());

    [Fact]
    public void Any_graph_round_trips()
    {
        Nodes.Sample(nodes =>
        {
            var graph = TestData.BuildGraph(nodes);
            var blob = graph.Encode();
            var decoded = RevisionGraph.Decode(blob);

            Assert.Equal(nodes.Length, decoded.Count);
            for (var n = 0; n < nodes.Length; n++)
            {
                Assert.Equal(nodes[n].Path, decoded.Path(n));
                Assert.Equal(nodes[n].IsFod, decoded.IsFod(n));
                Assert.Equal(nodes[n].Inputs, decoded.Inputs(n).ToArray());
                // A repeated path finds its first node.
                Assert.True(decoded.TryFind(nodes[n].Path, out var found));
                Assert.Equal(Array.FindIndex(nodes, x => x.Path == nodes[n].Path), found);
            }
            Assert.Equal(blob, decoded.Encode());
        }, iter: 3000, print: nodes => string.Join("; ", nodes.Select(n => $"{n.Path}|{n.IsFod}|{string.Join(",", n.Inputs)}")));
    }

    [Fact]
    public void The_format_is_version_1_with_leb128_counts()
    {
        var small = TestData.BuildGraph([("a", false, [1]), ("b", true, [])]);
        Assert.Equal([1, 2, 1, (byte)'a', 1, (byte)'b', 0, 1, 1, 1, 0], small.Encode());

        var longPath = new string('é', 100); // 200 UTF-8 bytes
        var blob = TestData.BuildGraph([(longPath, false, [])]).Encode();
        Assert.Equal([1, 1, 0xC8, 0x01], blob[..4]);
        Assert.Equal(Encoding.UTF8.GetBytes(longPath), blob[4..204]);
        Assert.Equal(longPath, RevisionGraph.Decode(blob).Path(0));

        Assert.Equal([1, 0], TestData.BuildGraph([]).Encode());
        Assert.Equal(0, RevisionGraph.Decode([1, 0]).Count);
    }

    [Fact]
    public void Every_truncation_and_extension_of_a_graph_is_refused()
    {
        Encoded.Sample(blob =>
        {
            for (var length = 0; length < blob.Length; length++)
            {
                Assert.Throws<InvalidDataException>(() => RevisionGraph.Decode(blob.AsSpan(0, length)));
            }
            Assert.Throws<InvalidDataException>(() => RevisionGraph.Decode([.. blob, 0]));
        }, iter: 300);
    }

    /// <summary>One to three bytes replaced, inserted or removed anywhere in a blob.</summary>
    private static readonly Gen<(int Kind, int Where, byte Value)[]> Edits =
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, int.MaxValue], Gen.OneOf(Gen.Byte, Gen.Const((byte)0), Gen.Const((byte)0x80), Gen.Const((byte)0xFF), Gen.Const((byte)1))).Array[1, 3];

    private static byte[] Edit(byte[] blob, (int Kind, int Where, byte Value)[] edits)
    {
        var bytes = blob.ToList();
            foreach (var (kind, where, value) in edits)
            {
                var at = where % (bytes.Count + 1);
                switch (kind)
                {
                    case 0 when at < bytes.Count:
                        bytes[at] = value;
                        break;
                    case 1:
                        bytes.Insert(at, value);
                        break;
                    case 2 when at < bytes.Count:
                        bytes.RemoveAt(at);
                        break;
                }
            }
        return [.. bytes];
    }

    [Fact]
    public void Corrupted_graphs_decode_consistently_or_throw_only_invalid_data()
    {
        Gen.Select(Encoded, Edits).Sample((blob, edits) => DecodesOrRefuses(Edit(blob, edits)), iter: 5000);
    }

    [Fact]
    public void Random_bytes_decode_consistently_or_throw_only_invalid_data()
    {
        // Mostly with the right version byte and small counts, so the fuzz gets past the header.
        var header = Gen.Select(Gen.Int[0, 9], Gen.Byte, (pick, b) => pick < 8 ? (byte)1 : b);
        Gen.Select(header, Gen.Int[0, 6], Gen.OneOf(Gen.Byte[0, 8], Gen.Byte).Array[0, 80])
            .Sample((version, count, rest) => DecodesOrRefuses([version, (byte)count, .. rest]), iter: 5000);
        Gen.Byte.Array[0, 40].Sample(DecodesOrRefuses, iter: 2000);
    }

    [Fact]
    public void A_huge_declared_count_is_refused_without_allocating_it()
    {
        // A node count of 2^31-1 in five LEB128 bytes, and an over-long varint.
        Assert.Throws<InvalidDataException>(() => RevisionGraph.Decode([1, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0, 0, 0]));
        Assert.Throws<InvalidDataException>(() => RevisionGraph.Decode([1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]));
        // An input naming a node past the last, and an unknown flag.
        Assert.Throws<InvalidDataException>(() => RevisionGraph.Decode([1, 1, 0, 0, 1, 1]));
        Assert.Throws<InvalidDataException>(() => RevisionGraph.Decode([1, 1, 0, 2, 0]));
        Assert.Throws<InvalidDataException>(() => RevisionGraph.Decode([]));
        Assert.Throws<InvalidDataException>(() => RevisionGraph.Decode([0, 0]));
        Assert.Equal(0, RevisionGraph.Decode([1, 1, 0, 0, 1, 0]).Inputs(0)[0]);
    }

    [Fact]
    public void The_constructor_refuses_arrays_that_disagree()
    {
        string[] two = ["a", "b"];
        Assert.Throws<ArgumentNullException>(() => new RevisionGraph(null!, [], [0], []));
        Assert.Throws<ArgumentNullException>(() => new RevisionGraph([], null!, [0], []));
        Assert.Throws<ArgumentNullException>(() => new RevisionGraph([], [], null!, []));
        Assert.Throws<ArgumentNullException>(() => new RevisionGraph([], [], [0], null!));
        // FOD flags for another count of nodes; input starts one short, not from 0, not ending at the input count.
        Assert.Throws<ArgumentException>(() => new RevisionGraph(two, [true], [0, 0, 0], []));
        Assert.Throws<ArgumentException>(() => new RevisionGraph(two, [true, false], [0, 0], []));
        Assert.Throws<ArgumentException>(() => new RevisionGraph(two, [true, false], [], []));
        Assert.Throws<ArgumentException>(() => new RevisionGraph(two, [true, false], [1, 1, 1], [0]));
        Assert.Throws<ArgumentException>(() => new RevisionGraph(two, [true, false], [0, 1, 1], [0, 1]));
        // A node whose inputs end before they begin.
        Assert.Throws<ArgumentException>(() => new RevisionGraph(two, [true, false], [0, 2, 1], [0]));
        // Inputs that name no node.
        Assert.Throws<ArgumentOutOfRangeException>(() => new RevisionGraph(two, [true, false], [0, 1, 1], [2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RevisionGraph(two, [true, false], [0, 1, 1], [-1]));

        var ok = new RevisionGraph(two, [true, false], [0, 0, 2], [0, 0]);
        Assert.Equal([0, 0], ok.Inputs(1).ToArray());
        Assert.True(ok.Inputs(0).IsEmpty);
    }

    [Fact]
    public void TryFind_finds_every_path_and_only_those()
    {
        var (graph, _) = TestData.Graph(500, "find");
        for (var n = 0; n < graph.Count; n++)
        {
            Assert.True(graph.TryFind(graph.Path(n), out var node));
            Assert.Equal(n, node);
        }
        Assert.False(graph.TryFind(TestData.DrvPath("find", 500), out _));
        Assert.False(graph.TryFind(graph.Path(0).ToUpperInvariant(), out _)); // ordinal, not case-insensitive
        Assert.False(graph.TryFind("", out _));
        Assert.False(TestData.BuildGraph([]).TryFind("", out _));
        Assert.True(TestData.BuildGraph([("", false, [])]).TryFind("", out var empty));
        Assert.Equal(0, empty);
    }

    /// <summary>
    /// A base graph of unique paths, and a graph of the same immutable derivations: some of the base's
    /// nodes with their closures, and new nodes naming any of them, in any order.
    /// </summary>
    private static readonly Gen<(RevisionGraph Base, RevisionGraph Graph)> Related =
        Gen.Select(Gen.Int[0, 40], Gen.Int[0, 20], Gen.Int[0, int.MaxValue]).Select((baseCount, newCount, seed) =>
        {
            var random = new Random(seed);
            var baseNodes = new List<(string Path, bool IsFod, int[] Inputs)>();
            for (var n = 0; n < baseCount; n++)
            {
                baseNodes.Add((TestData.DrvPath("base", n), random.Next(2) == 0, [.. Enumerable.Range(0, random.Next(Math.Min(n, 4) + 1)).Select(_ => random.Next(n))]));
            }
            var keep = new bool[baseCount];
            for (var n = baseCount - 1; n >= 0; n--)
            {
                keep[n] |= random.Next(3) > 0;
                if (keep[n])
                {
                    foreach (var input in baseNodes[n].Inputs)
                    {
                        keep[input] = true;
                    }
                }
            }
            // Paths first, so that inputs can name any node of the graph, then a shuffle.
            var paths = Enumerable.Range(0, baseCount).Where(n => keep[n]).Select(n => baseNodes[n].Path)
                .Concat(Enumerable.Range(0, newCount).Select(i => TestData.DrvPath("new", i))).OrderBy(_ => random.Next()).ToList();
            var nodeOf = paths.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => x.i);
            var graphNodes = paths.Select(path =>
            {
                if (path.Contains("pkg-", StringComparison.Ordinal) && baseNodes.FindIndex(b => b.Path == path) is var b and >= 0)
                {
                    return (path, baseNodes[b].IsFod, baseNodes[b].Inputs.Select(i => nodeOf[baseNodes[i].Path]).ToArray());
                }
                return (path, random.Next(2) == 0, Enumerable.Range(0, random.Next(4)).Select(_ => random.Next(paths.Count)).ToArray());
            }).ToList();
            return (TestData.BuildGraph(baseNodes), TestData.BuildGraph(graphNodes));
        });

    [Fact]
    public void A_difference_from_a_base_decodes_against_it_to_the_same_graph_within_the_limit_given()
    {
        Gen.Select(Related, Gen.Int[0, 60]).Sample((pair, max) =>
        {
            var (@base, graph) = pair;
            var basePaths = TestData.Paths(@base).ToHashSet();
            var paths = TestData.Paths(graph).ToHashSet();
            var added = paths.Count(p => !basePaths.Contains(p));

            var blob = graph.EncodeDifference(@base, max);

            Assert.Equal(added > max, blob is null);
            var unlimited = graph.EncodeDifference(@base, int.MaxValue)!;
            Assert.Equal(2, unlimited[0]);
            var decoded = RevisionGraph.Decode(unlimited, @base);
            Assert.Equal(TestData.Canonical(graph), TestData.Canonical(decoded));
            // The kept base nodes come first, in the base's order.
            Assert.Equal(TestData.Paths(@base).Where(paths.Contains), TestData.Paths(decoded).Take(paths.Count(basePaths.Contains)));
            // Without its base, against another, or a whole graph against one: refused.
            Assert.Throws<InvalidDataException>(() => RevisionGraph.Decode(unlimited));
            Assert.Throws<InvalidDataException>(() => RevisionGraph.Decode(unlimited, TestData.BuildGraph([.. TestData.Paths(@base).Append("x").Select(p => (p, false, Array.Empty<int>()))])));
            Assert.Throws<InvalidDataException>(() => RevisionGraph.Decode(graph.Encode(), @base));
        }, iter: 2000);
    }

    [Fact]
    public void A_graph_that_disagrees_with_its_base_on_a_shared_path_is_not_stored_as_a_difference()
    {
        var @base = TestData.BuildGraph([("a", false, []), ("b", true, []), ("c", false, [0, 1])]);
        Assert.NotNull(TestData.BuildGraph([("c", false, [2, 1]), ("b", true, []), ("a", false, [])]).EncodeDifference(@base, 10));
        // Another flag, other inputs, inputs in another order, a repeated path.
        Assert.Null(TestData.BuildGraph([("b", false, [])]).EncodeDifference(@base, 10));
        Assert.Null(TestData.BuildGraph([("a", false, []), ("b", true, []), ("c", false, [0])]).EncodeDifference(@base, 10));
        Assert.Null(TestData.BuildGraph([("a", false, []), ("b", true, []), ("c", false, [1, 0])]).EncodeDifference(@base, 10));
        Assert.Null(TestData.BuildGraph([("a", false, []), ("a", false, []), ("b", true, []), ("c", false, [1, 2])]).EncodeDifference(@base, 10));
        // Any random pair: a difference, when there is one, decodes to the same graph.
        Gen.Select(Nodes, Nodes).Sample((b, g) =>
        {
            var (baseGraph, graph) = (TestData.BuildGraph(b), TestData.BuildGraph(g));
            if (graph.EncodeDifference(baseGraph, int.MaxValue) is { } blob)
            {
                Assert.Equal(TestData.Canonical(graph), TestData.Canonical(RevisionGraph.Decode(blob, baseGraph)));
            }
        }, iter: 2000);
    }

    [Fact]
    public void The_difference_format_is_version_2_with_gaps_between_removed_nodes()
    {
        var @base = TestData.BuildGraph([("a", false, []), ("b", true, []), ("c", false, [0]), ("d", false, [])]);
        var graph = TestData.BuildGraph([("e", true, [1, 2]), ("c", false, [2]), ("a", false, [])]);
        // Base of 4; removed b (1) and d (3, a gap of 1 after b); added e with inputs c (2) and a (0).
        Assert.Equal([2, 4, 2, 1, 1, 1, 1, (byte)'e', 1, 2, 2, 0], graph.EncodeDifference(@base, 10));
        Assert.Equal(["a|False|", "c|False|a", "e|True|c,a"], TestData.Canonical(RevisionGraph.Decode([2, 4, 2, 1, 1, 1, 1, (byte)'e', 1, 2, 2, 0], @base)));
        Assert.Null(graph.EncodeDifference(@base, 0));
        Assert.NotNull(graph.EncodeDifference(@base, 1));
        // A removed node that a kept one needs, a removal past the base, an added input past the added nodes.
        Assert.Throws<InvalidDataException>(() => RevisionGraph.Decode([2, 4, 1, 0, 0], @base));
        Assert.Throws<InvalidDataException>(() => RevisionGraph.Decode([2, 4, 2, 3, 0, 0], @base));
        Assert.Throws<InvalidDataException>(() => RevisionGraph.Decode([2, 4, 0, 1, 1, (byte)'e', 0, 1, 5], @base));
    }

    [Fact]
    public void Corrupted_differences_decode_consistently_or_throw_only_invalid_data()
    {
        Gen.Select(Related, Edits).Sample((pair, edits) => DecodesOrRefuses(Edit(pair.Graph.EncodeDifference(pair.Base, int.MaxValue)!, edits), pair.Base), iter: 3000);
    }

    private static void DecodesOrRefuses(byte[] bytes) => DecodesOrRefuses(bytes, null);

    private static void DecodesOrRefuses(byte[] bytes, RevisionGraph? @base)
    {
        RevisionGraph graph;
        try
        {
            graph = RevisionGraph.Decode(bytes, @base);
        }
        catch (InvalidDataException)
        {
            return;
        }
        // What decodes is a consistent graph (the constructor checked it) that re-encodes to an equal one.
        Assert.Equal(TestData.Render(graph), TestData.Render(RevisionGraph.Decode(graph.Encode())));
    }
}
