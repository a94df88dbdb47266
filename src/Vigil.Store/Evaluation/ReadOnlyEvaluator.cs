namespace Vigil.Store.Evaluation;

/// <summary>
/// <c>readonly</c>: evaluates the walker with <c>nix-instantiate --eval --strict --json</c>
/// (read-only: no <c>.drv</c> file is written), walking every derivation reachable through
/// attribute values with <c>builtins.genericClosure</c> keyed by drvPath. Emits
/// <see cref="AttrEvaluated"/>/<see cref="AttrFailed"/> per root attribute, one
/// <see cref="DerivationSeen"/> per derivation, <see cref="MirrorListSeen"/> per mirror list, and,
/// at the end, <see cref="ContextDrvsUnresolved"/> for derivations named only in strings, which a
/// read-only walk cannot enter. With <see cref="EvaluatorOptions.Jobs"/> &gt; 1 the roots are
/// split over that many processes whose output is parsed while it streams.
/// </summary>
public sealed class ReadOnlyEvaluator : IEvaluator
{
    private readonly NixProcess nix;
    private readonly EvaluatorOptions options;

    public ReadOnlyEvaluator(NixProcess nix, EvaluatorOptions? options = null)
    {
        this.nix = nix;
        this.options = options ?? EvaluatorOptions.Default;
        this.options.Validate();
    }

    public string Name => "readonly";

    public IAsyncEnumerable<EvalEvent> EvaluateAsync(EvalTarget target, CancellationToken cancellationToken = default) =>
        WalkerRun.Stream(nix, options, target, "walk", readWrite: false, attrs: null, cancellationToken);
}
