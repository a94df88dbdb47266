using Vigil.Store.Evaluation;

namespace Vigil.E2E.Tests.Evaluation;

/// <summary>
/// Evaluations of the generated package set that several tests inspect, each run once: read-only
/// into an empty store, and instantiate into another.
/// </summary>
public sealed class PackageSetEvaluations : IDisposable
{
    private readonly Lazy<Task<List<EvalEvent>>> readOnly;
    private readonly Lazy<Task<List<EvalEvent>>> instantiated;

    public PackageSetEvaluations()
    {
        ReadOnlyStore = Environment.NewStoreRoot();
        InstantiateStore = Environment.NewStoreRoot();
        ReadOnlyNix = NixTestEnvironment.NixFor(ReadOnlyStore);
        readOnly = new(() => NixTestEnvironment.CollectAsync(new ReadOnlyEvaluator(ReadOnlyNix).EvaluateAsync(Target)));
        instantiated = new(() => NixTestEnvironment.CollectAsync(
            new InstantiateEvaluator(NixTestEnvironment.NixFor(InstantiateStore)).EvaluateAsync(Target)));
    }

    public NixTestEnvironment Environment { get; } = new();

    public EvalTarget Target => new(Environment.PackageFile);

    public string ReadOnlyStore { get; }

    /// <summary>The process runner of the read-only evaluation, which counts the processes it started.</summary>
    public NixProcess ReadOnlyNix { get; }

    public string InstantiateStore { get; }

    public Task<List<EvalEvent>> ReadOnlyAsync() => readOnly.Value;

    public Task<List<EvalEvent>> InstantiatedAsync() => instantiated.Value;

    public void Dispose() => Environment.Dispose();
}
