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
        var attrsAt = new int[graph.Count];
        foreach (var (_, node) in roots)
        {
            attrsAt[node]++;
        }
        Counter? counter = null;
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
                counter ??= new Counter(graph.Parents(), attrsAt);
                count = counter.AttrsReaching(fod);
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

    /// <summary>
    /// Counts the attributes reaching a node by a reverse walk. On a scan of many roots thousands of
    /// FODs fill their lists, and each walk may cover most of the graph: the visited marks are one
    /// array, stamped anew per walk, not a set per walk.
    /// </summary>
    private sealed class Counter(int[][] parents, int[] attrsAt)
    {
        private readonly int[] _mark = new int[parents.Length];
        private readonly Stack<int> _stack = new();
        private int _stamp;

        public int AttrsReaching(int node)
        {
            var stamp = ++_stamp;
            _mark[node] = stamp;
            _stack.Push(node);
            var count = 0;
            while (_stack.TryPop(out var n))
            {
                count += attrsAt[n];
                foreach (var p in parents[n])
                {
                    if (_mark[p] != stamp)
                    {
                        _mark[p] = stamp;
                        _stack.Push(p);
                    }
                }
            }
            return count;
        }
    }
}
