using CsCheck;
using Vigil.Data.Farm;
using Vigil.Farm.Graph;

namespace Vigil.Farm.Tests.Support;

/// <summary>Random derivation graphs: node i's inputs are among nodes below i, so every graph is acyclic.</summary>
internal sealed record Dag(DrvInfo[] Nodes)
{
    public static readonly string[] Systems = ["x86_64-linux", "aarch64-linux"];
    public static readonly string[] Features = ["big-parallel", "kvm"];

    public static string DrvPath(int i, string salt = "") => $"/nix/store/{Hash(i, salt)}-n{i}.drv";

    public static string OutPath(int i, string salt = "") => $"/nix/store/{Hash(i, salt + "out")}-n{i}";

    private static string Hash(int i, string salt) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{salt}:{i}")))[..32];

    /// <summary>A random DAG of up to <paramref name="maxNodes"/> nodes; with <paramref name="varied"/>, random systems and features.</summary>
    public static Gen<Dag> Gen(int maxNodes, bool varied) =>
        CsCheck.Gen.Int[2, maxNodes].SelectMany(n =>
            CsCheck.Gen.Select(
                CsCheck.Gen.Int[0, 3].Array[n],
                CsCheck.Gen.Int[0, int.MaxValue].Array[n],
                CsCheck.Gen.Int[0, 9].Array[n],
                (fanIn, seeds, shape) =>
                {
                    var nodes = new DrvInfo[n];
                    for (var i = 0; i < n; i++)
                    {
                        var r = new Random(seeds[i]);
                        var inputs = i == 0 ? [] : Enumerable.Range(0, fanIn[i]).Select(_ => r.Next(i)).Distinct().Select(j => DrvPath(j)).ToArray();
                        var system = varied ? Systems[shape[i] % 2] : Systems[0];
                        string[] features = !varied ? [] : shape[i] switch { 7 => ["kvm"], 8 => ["big-parallel"], 9 => ["big-parallel", "kvm"], _ => [] };
                        nodes[i] = new DrvInfo(DrvPath(i), system, features, [OutPath(i)], inputs);
                    }
                    return new Dag(nodes);
                }));

    public InMemoryDrvSource Source => new(Nodes);

    public static QueuedBuild Build(long id, string drv, long jobset = 1, int shares = 100, int priority = 0, int global = 0) =>
        new(id, jobset, shares, $"job{id}", drv, "x86_64-linux", priority, global, 3600, 36000, DateTimeOffset.UnixEpoch, 0);

    /// <summary>Indices of every node reachable from node <paramref name="top"/> through inputs, itself included.</summary>
    public HashSet<string> Closure(string top)
    {
        var byPath = Nodes.ToDictionary(n => n.Path);
        var seen = new HashSet<string> { top };
        var stack = new Stack<string>([top]);
        while (stack.TryPop(out var p))
        {
            foreach (var input in byPath[p].InputDrvs)
            {
                if (seen.Add(input))
                {
                    stack.Push(input);
                }
            }
        }
        return seen;
    }
}
