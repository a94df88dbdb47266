namespace Vigil.Farm.Graph;

/// <summary>Which outputs are recorded as failed (the database's failed paths): such derivations are not built again.</summary>
public interface IFailedPathSource
{
    Task<IReadOnlySet<string>> FindFailedAsync(IReadOnlyCollection<string> outputPaths, CancellationToken cancellationToken);
}
