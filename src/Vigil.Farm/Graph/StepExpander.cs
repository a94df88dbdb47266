using System.Collections.Concurrent;

namespace Vigil.Farm.Graph;

/// <summary>
/// From a build to the steps it needs: walks the derivation closure level by level, asks the oracle
/// about every output of a level in one call, and stops at derivations whose outputs all exist (the
/// cutoff) and at derivations the scheduler already has a step for (published in
/// <paramref name="marks"/>), so a closure shared by many builds is walked once. Derivations read are
/// kept (they are immutable), so a later build sharing them reads no file again.
/// </summary>
public sealed class StepExpander(IDrvSource source, IOutputOracle oracle, IFailedPathSource? failedPaths, IReadOnlyDictionary<string, StepMark> marks)
{
    private readonly ConcurrentDictionary<string, DrvInfo> cache = new(StringComparer.Ordinal);

    public async Task<BuildFragment> ExpandAsync(string topDrv, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topDrv);
        var nodes = new List<DrvInfo>();
        var boundary = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { topDrv };
        var level = new List<string> { topDrv };
        while (level.Count > 0)
        {
            var toCheck = new List<DrvInfo>();
            foreach (var drv in Load(level, cancellationToken))
            {
                switch (marks.TryGetValue(drv.Path, out var mark) ? mark : (StepMark?)null)
                {
                    case StepMark.Live:
                        boundary.Add(drv.Path);
                        break;
                    case StepMark.Succeeded:
                        break;
                    case StepMark.Failed:
                        return new BuildFragment(topDrv, [], [], drv.Path);
                    default:
                        toCheck.Add(drv);
                        break;
                }
            }
            var outputs = toCheck.SelectMany(d => d.OutputPaths).ToList();
            var present = outputs.Count == 0 ? new HashSet<string>() : await oracle.FindPresentAsync(outputs, cancellationToken).ConfigureAwait(false);
            var next = new List<string>();
            foreach (var drv in toCheck)
            {
                // An output with no known path (content-addressed, floating) cannot be looked up: build it.
                if (drv.OutputPaths.Count > 0 && drv.OutputPaths.All(present.Contains))
                {
                    continue;
                }
                nodes.Add(drv);
                foreach (var input in drv.InputDrvs)
                {
                    if (seen.Add(input))
                    {
                        next.Add(input);
                    }
                }
            }
            level = next;
        }
        // One lookup per build, not per level (a round trip each): only outputs that would be
        // built can be failed paths, and nodes are in walk order, so the first found is the nearest.
        if (failedPaths is not null && nodes.Count > 0)
        {
            var failed = await failedPaths.FindFailedAsync([.. nodes.SelectMany(d => d.OutputPaths)], cancellationToken).ConfigureAwait(false);
            if (failed.Count > 0 && nodes.FirstOrDefault(d => d.OutputPaths.Any(failed.Contains)) is { } failedDrv)
            {
                return new BuildFragment(topDrv, [], [], failedDrv.Path);
            }
        }
        return new BuildFragment(topDrv, nodes, boundary, null);
    }

    private List<DrvInfo> Load(List<string> paths, CancellationToken cancellationToken)
    {
        var result = new DrvInfo[paths.Count];
        var missing = new List<int>();
        for (var i = 0; i < paths.Count; i++)
        {
            if (cache.TryGetValue(paths[i], out var drv))
            {
                result[i] = drv;
            }
            else
            {
                missing.Add(i);
            }
        }
        if (missing.Count > 0)
        {
            var loaded = source.Load(missing.Select(i => paths[i]).ToList(), cancellationToken);
            for (var k = 0; k < missing.Count; k++)
            {
                result[missing[k]] = cache.GetOrAdd(loaded[k].Path, loaded[k]);
            }
        }
        return [.. result];
    }
}
