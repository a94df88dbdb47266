namespace Vigil.Fod.Scanning;

/// <summary>
/// Which attributes reach each FOD. Listing every attribute is useless for FODs that everything
/// depends on (stdenv's bootstrap tarballs are reached by all of nixpkgs), so each FOD keeps the
/// <see cref="MaxListed"/> nearest attributes (breadth-first from all roots at once, so nearest
/// first, O(edges × MaxListed)) and an exact count, computed by a reverse walk only for the FODs
/// whose list filled up.
/// </summary>
public static class AttributeReach
{
    public const int MaxListed = 16;

    public sealed record Reach(IReadOnlyList<string> Attrs, int Count);

    /// <param name="roots">Attribute name and root node id; several attributes may share a node.</param>
    public static Dictionary<int, Reach> Compute(DrvGraph graph, IReadOnlyList<(string Attr, int Node)> roots, IEnumerable<int> fods)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(roots);
        var listed = new Listed(graph.Count);
        var queue = new Queue<(int Node, int Attr)>();
        for (var a = 0; a < roots.Count; a++)
        {
            if (listed.Accept(roots[a].Node, a))
            {
                queue.Enqueue((roots[a].Node, a));
            }
        }
        while (queue.Count > 0)
        {
            var (node, attr) = queue.Dequeue();
            foreach (var input in graph.Inputs(node))
            {
                if (listed.Accept(input, attr))
                {
                    queue.Enqueue((input, attr));
                }
            }
        }
        var attrsByNode = new Dictionary<int, List<int>>();
        for (var a = 0; a < roots.Count; a++)
        {
            if (!attrsByNode.TryGetValue(roots[a].Node, out var list))
            {
                attrsByNode[roots[a].Node] = list = [];
            }
            list.Add(a);
        }
        int[][]? parents = null;
        var result = new Dictionary<int, Reach>();
        foreach (var fod in fods)
        {
            var attrs = listed.Of(fod);
            if (attrs.Count == 0)
            {
                result[fod] = new Reach([], 0);
                continue;
            }
            var count = attrs.Count;
            if (count >= MaxListed)
            {
                parents ??= graph.Parents();
                count = CountReachingAttrs(parents, fod, attrsByNode);
            }
            result[fod] = new Reach(attrs.Select(a => roots[a].Attr).ToList(), count);
        }
        return result;
    }

    /// <summary>
    /// The attributes listed per node: the first in an array, any more in a list, so a closure
    /// that one attribute reaches (a scan of one root) allocates nothing per node.
    /// </summary>
    private sealed class Listed(int nodes)
    {
        private readonly int[] _first = CreateFirst(nodes);
        private readonly List<int>?[] _more = new List<int>?[nodes];

        public bool Accept(int node, int attr)
        {
            if (_first[node] < 0)
            {
                _first[node] = attr;
                return true;
            }
            if (_first[node] == attr)
            {
                return false;
            }
            var more = _more[node] ??= new List<int>(2);
            if (more.Count + 1 >= MaxListed || more.Contains(attr))
            {
                return false;
            }
            more.Add(attr);
            return true;
        }

        public List<int> Of(int node)
        {
            if (_first[node] < 0)
            {
                return [];
            }
            var all = new List<int>(1 + (_more[node]?.Count ?? 0)) { _first[node] };
            if (_more[node] is { } more)
            {
                all.AddRange(more);
            }
            return all;
        }

        private static int[] CreateFirst(int nodes)
        {
            var first = new int[nodes];
            Array.Fill(first, -1);
            return first;
        }
    }

    private static int CountReachingAttrs(int[][] parents, int fod, Dictionary<int, List<int>> attrsByNode)
    {
        var seen = new HashSet<int> { fod };
        var stack = new Stack<int>();
        stack.Push(fod);
        var count = 0;
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (attrsByNode.TryGetValue(n, out var attrs))
            {
                count += attrs.Count;
            }
            foreach (var p in parents[n])
            {
                if (seen.Add(p))
                {
                    stack.Push(p);
                }
            }
        }
        return count;
    }
}
