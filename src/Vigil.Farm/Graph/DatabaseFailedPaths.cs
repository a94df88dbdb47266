using Vigil.Data.Farm;

namespace Vigil.Farm.Graph;

/// <summary>Failed paths as stored in the farm's database.</summary>
public sealed class DatabaseFailedPaths(FarmDatabase farm) : IFailedPathSource
{
    public async Task<IReadOnlySet<string>> FindFailedAsync(IReadOnlyCollection<string> outputPaths, CancellationToken cancellationToken)
    {
        var found = await farm.FindFailedPathsAsync(outputPaths, cancellationToken).ConfigureAwait(false);
        return found.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
    }
}
