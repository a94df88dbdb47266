using Vigil.Store;

namespace Vigil.Farm.Graph;

/// <summary>A derivation graph held in memory: for tests, the simulator and the scheduler benchmark, where no store is involved.</summary>
public sealed class InMemoryDrvSource : IDrvSource
{
    private readonly Dictionary<string, DrvInfo> drvs = new(StringComparer.Ordinal);

    public InMemoryDrvSource(IEnumerable<DrvInfo> drvs)
    {
        ArgumentNullException.ThrowIfNull(drvs);
        foreach (var drv in drvs)
        {
            this.drvs[drv.Path] = drv;
        }
    }

    public int Count => drvs.Count;

    public IReadOnlyList<DrvInfo> Load(IReadOnlyList<string> drvPaths, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(drvPaths);
        var list = new DrvInfo[drvPaths.Count];
        for (var i = 0; i < list.Length; i++)
        {
            list[i] = drvs.TryGetValue(drvPaths[i], out var drv) ? drv : throw new StoreException(drvPaths[i], $"derivation '{drvPaths[i]}' is not in the graph");
        }
        return list;
    }
}
