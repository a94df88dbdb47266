namespace Vigil.Farm.Graph;

/// <summary>Existing outputs given as a set: for tests and the simulator, where no store is asked.</summary>
public sealed class FixedOutputOracle(IEnumerable<string> present) : IOutputOracle
{
    private readonly HashSet<string> present = new(present, StringComparer.Ordinal);

    public static FixedOutputOracle None { get; } = new([]);

    public Task<IReadOnlySet<string>> FindPresentAsync(IReadOnlyCollection<string> outputPaths, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outputPaths);
        IReadOnlySet<string> found = outputPaths.Where(present.Contains).ToHashSet(StringComparer.Ordinal);
        return Task.FromResult(found);
    }
}
