using Vigil.Data;

namespace Vigil.Fod.Scanning;

/// <summary>
/// The derivation graph of one scan, with dense integer ids so that reachability questions over
/// tens of thousands of nodes run over arrays, not dictionaries of strings.
/// </summary>
public sealed class DrvGraph
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly List<string> _paths = [];
    private readonly List<int[]> _inputs = [];
    private readonly List<bool> _isFod = [];

    public int Count => _paths.Count;

    public int Id(string drvPath)
    {
        if (!_ids.TryGetValue(drvPath, out var id))
        {
            id = _paths.Count;
            _ids.Add(drvPath, id);
            _paths.Add(drvPath);
            _inputs.Add([]);
            _isFod.Add(false);
        }
        return id;
    }

    public bool Contains(string drvPath) => _ids.ContainsKey(drvPath);

    public bool TryGetId(string drvPath, out int id) => _ids.TryGetValue(drvPath, out id);

    public string Path(int id) => _paths[id];

    public IReadOnlyList<int> Inputs(int id) => _inputs[id];

    public bool IsFod(int id) => _isFod[id];

    public void SetNode(string drvPath, bool isFod, IEnumerable<string> inputs)
    {
        var id = Id(drvPath);
        _isFod[id] = isFod;
        _inputs[id] = inputs.Select(Id).ToArray();
    }

    public void SetNode(int id, bool isFod, int[] inputs)
    {
        _isFod[id] = isFod;
        _inputs[id] = inputs;
    }

    /// <summary>Every FOD reachable from the given roots (the roots included).</summary>
    public IEnumerable<int> ReachableFods(IEnumerable<int> roots)
    {
        var seen = new bool[Count];
        var stack = new Stack<int>();
        foreach (var r in roots)
        {
            if (!seen[r])
            {
                seen[r] = true;
                stack.Push(r);
            }
        }
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (_isFod[n])
            {
                yield return n;
            }
            foreach (var i in _inputs[n])
            {
                if (!seen[i])
                {
                    seen[i] = true;
                    stack.Push(i);
                }
            }
        }
    }

    /// <summary>The nodes marked in <paramref name="include"/>, renumbered in order, as the graph stored with a revision; each included node's inputs must be included too.</summary>
    public RevisionGraph ToRevisionGraph(bool[] include)
    {
        ArgumentNullException.ThrowIfNull(include);
        var number = new int[Count];
        var count = 0;
        for (var n = 0; n < Count; n++)
        {
            number[n] = include[n] ? count++ : -1;
        }
        var paths = new string[count];
        var isFod = new bool[count];
        var inputStart = new int[count + 1];
        var edges = 0;
        for (var n = 0; n < Count; n++)
        {
            edges += number[n] >= 0 ? _inputs[n].Length : 0;
        }
        var inputs = new int[edges];
        edges = 0;
        for (var n = 0; n < Count; n++)
        {
            if (number[n] < 0)
            {
                continue;
            }
            paths[number[n]] = _paths[n];
            isFod[number[n]] = _isFod[n];
            foreach (var i in _inputs[n])
            {
                inputs[edges++] = number[i] >= 0 ? number[i] : throw new ArgumentException($"{_paths[n]} is included but its input {_paths[i]} is not", nameof(include));
            }
            inputStart[number[n] + 1] = edges;
        }
        return new RevisionGraph(paths, isFod, inputStart, inputs);
    }

    /// <summary>Reverse adjacency (who depends on each node), built on demand.</summary>
    public int[][] Parents()
    {
        var counts = new int[Count];
        for (var n = 0; n < Count; n++)
        {
            foreach (var i in _inputs[n])
            {
                counts[i]++;
            }
        }
        var parents = new int[Count][];
        for (var n = 0; n < Count; n++)
        {
            parents[n] = new int[counts[n]];
        }
        var fill = new int[Count];
        for (var n = 0; n < Count; n++)
        {
            foreach (var i in _inputs[n])
            {
                parents[i][fill[i]++] = n;
            }
        }
        return parents;
    }
}
