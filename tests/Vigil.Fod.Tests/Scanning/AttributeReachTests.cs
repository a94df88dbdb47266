using CsCheck;
using Vigil.Fod.Scanning;

namespace Vigil.Fod.Tests.Scanning;

/// <summary>
/// <see cref="AttributeReach"/> against the plain definition on random graphs: an attribute reaches
/// a node when the node is in the closure of the attribute's root. The count is exact; the list is
/// complete below <see cref="AttributeReach.MaxListed"/> and otherwise holds that many attributes
/// that do reach the node.
/// </summary>
public sealed class AttributeReachTests
{
    // A DAG: node i's inputs are nodes after it, so a few dozen nodes get deep, shared closures.
    private static readonly Gen<(int Nodes, int[][] Inputs, int[] Roots)> Graphs =
        from nodes in Gen.Int[1, 60]
        from inputs in Gen.Int[0, 1000].Array[0, 6].Array[nodes]
        from roots in Gen.Int[0, nodes - 1].Array[0, 40]
        select (nodes, inputs.Select((ins, i) => ins.Where(_ => i + 1 < nodes).Select(x => i + 1 + (x % Math.Max(1, nodes - i - 1))).Distinct().ToArray()).ToArray(), roots);

    [Fact]
    public void Counts_and_lists_are_those_of_the_closures()
    {
        Graphs.Sample(g =>
        {
            var graph = new DrvGraph();
            for (var i = 0; i < g.Nodes; i++)
            {
                graph.Id(Path(i));
            }
            for (var i = 0; i < g.Nodes; i++)
            {
                graph.SetNode(Path(i), isFod: i % 3 == 0, g.Inputs[i].Select(Path));
            }
            var roots = g.Roots.Select((node, a) => ($"attr{a}", node)).ToList();
            var reach = AttributeReach.Compute(graph, roots, Enumerable.Range(0, g.Nodes));

            var closures = roots.Select(r => Closure(g.Inputs, r.node)).ToList();
            for (var n = 0; n < g.Nodes; n++)
            {
                var reaching = roots.Where((_, a) => closures[a].Contains(n)).Select(r => r.Item1).ToList();
                Assert.Equal(reaching.Count, reach[n].Count);
                Assert.Subset(reaching.ToHashSet(), reach[n].Attrs.ToHashSet());
                Assert.Equal(Math.Min(reaching.Count, AttributeReach.MaxListed), reach[n].Attrs.Count);
            }
        }, iter: 2000);
    }

    private static string Path(int i) => $"/nix/store/{i:D32}-n.drv";

    private static HashSet<int> Closure(int[][] inputs, int root)
    {
        var seen = new HashSet<int> { root };
        var stack = new Stack<int>([root]);
        while (stack.TryPop(out var n))
        {
            foreach (var i in inputs[n])
            {
                if (seen.Add(i))
                {
                    stack.Push(i);
                }
            }
        }
        return seen;
    }
}
