namespace Vigil.Store.Evaluation;

/// <summary>One way of turning a Nix expression into derivations.</summary>
public interface IEvaluator
{
    /// <summary>A short stable name: <c>instantiate</c>, <c>readonly</c>, <c>combined</c>, <c>drvs</c>, <c>jsonl</c>.</summary>
    string Name { get; }

    IAsyncEnumerable<EvalEvent> EvaluateAsync(EvalTarget target, CancellationToken cancellationToken = default);
}
