namespace Vigil.Store.Provenance;

/// <summary>A store or binary cache that can say which of some store paths it holds, and their origin.</summary>
public interface IStoreObjectOrigins
{
    /// <summary>For messages: which store or cache this is.</summary>
    string Description { get; }

    /// <summary>The origins of those of <paramref name="paths"/> that are held; paths not held are absent.</summary>
    /// <exception cref="StoreException">The store or cache could not be asked.</exception>
    Task<IReadOnlyDictionary<string, StoreObjectOrigin>> FindAsync(IReadOnlyCollection<string> paths, CancellationToken cancellationToken = default);
}
