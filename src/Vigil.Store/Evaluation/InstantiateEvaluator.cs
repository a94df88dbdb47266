namespace Vigil.Store.Evaluation;

/// <summary>
/// <c>instantiate</c>: evaluates every root attribute's <c>drvPath</c> with
/// <c>nix-instantiate --eval --read-write-mode</c>, so Nix writes the <c>.drv</c> files of the
/// whole closure (for the native closure walk), one <c>builtins.tryEval</c> per attribute so a
/// broken attribute costs only itself. Emits <see cref="AttrEvaluated"/> and <see cref="AttrFailed"/>.
/// </summary>
public sealed class InstantiateEvaluator : IEvaluator
{
    private readonly NixProcess nix;
    private readonly EvaluatorOptions options;

    public InstantiateEvaluator(NixProcess nix, EvaluatorOptions? options = null)
    {
        this.nix = nix;
        this.options = options ?? EvaluatorOptions.Default;
        this.options.Validate();
    }

    public string Name => "instantiate";

    public IAsyncEnumerable<EvalEvent> EvaluateAsync(EvalTarget target, CancellationToken cancellationToken = default) =>
        WalkerRun.Stream(nix, options, target, "instantiate", readWrite: true, attrs: null, cancellationToken);

    /// <summary>
    /// Instantiates only <paramref name="attrs"/>: attribute names as the evaluators report them
    /// (dotted, starting with the target's own <see cref="EvalTarget.Attr"/>).
    /// </summary>
    public IAsyncEnumerable<EvalEvent> EvaluateAttributesAsync(EvalTarget target, IEnumerable<string> attrs, CancellationToken cancellationToken = default) =>
        WalkerRun.Stream(nix, options, target, "instantiate", readWrite: true, attrs ?? throw new ArgumentNullException(nameof(attrs)), cancellationToken);
}
