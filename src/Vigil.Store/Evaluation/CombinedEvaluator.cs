using System.Runtime.CompilerServices;

namespace Vigil.Store.Evaluation;

/// <summary>
/// <c>combined</c>, the fast path: a read-only evaluation, and <c>nix-instantiate</c> only where it is
/// needed, as <see cref="DrvWrites"/> says:
/// <list type="bullet">
/// <item><see cref="DrvWrites.New"/>: a read-only pass gives every attribute's drvPath; only attributes
/// whose <c>.drv</c> is not in the store yet are instantiated, so Nix writes only new files. Emits
/// one <see cref="AttrEvaluated"/> or <see cref="AttrFailed"/> per attribute; an attribute whose
/// <c>.drv</c> has to be written is reported once its instantiation is done.</item>
/// <item><see cref="DrvWrites.Needed"/>: the read-only walk (<see cref="ReadOnlyEvaluator"/>), whose
/// events are passed on; then, for the derivations it could only see named inside strings and that
/// are not in the store, one attribute reaching each is instantiated, so that the native closure
/// walk can enter them. <see cref="WalkEnded"/> comes between the two. Their
/// <see cref="ContextDrvsUnresolved"/> events come last, once the files exist: the closures a caller
/// must walk from the files.</item>
/// </list>
/// </summary>
public sealed class CombinedEvaluator : IEvaluator
{
    private readonly NixProcess nix;
    private readonly EvaluatorOptions options;
    private readonly DrvWrites writes;
    private readonly InstantiateEvaluator instantiate;
    private readonly StoreLocation store;

    /// <param name="nix">How to run Nix, and which store to check and fill.</param>
    /// <param name="options">Jobs for the read-only pass (Nix writes from one process), error messages for both.</param>
    /// <param name="writes">Which <c>.drv</c> files Nix writes.</param>
    public CombinedEvaluator(NixProcess nix, EvaluatorOptions? options = null, DrvWrites writes = DrvWrites.New)
    {
        ArgumentNullException.ThrowIfNull(nix);
        this.nix = nix;
        this.options = options ?? EvaluatorOptions.Default;
        this.options.Validate();
        this.writes = writes;
        // One writer: parallel nix-instantiate processes contend for the store's database (a fresh
        // store of the bench set took 59 s with one and 110 s with two); --jobs is for the read-only pass.
        instantiate = new InstantiateEvaluator(nix, this.options with { Jobs = 1 });
        store = nix.Options.StoreLocation;
    }

    public string Name => "combined";

    /// <summary>Counts of the most recent run that ran to its end.</summary>
    public CombinedRunStats? LastRun { get; private set; }

    public IAsyncEnumerable<EvalEvent> EvaluateAsync(EvalTarget target, CancellationToken cancellationToken = default) =>
        writes == DrvWrites.New ? InstantiateNewAsync(target, cancellationToken) : WalkAsync(target, cancellationToken);

    private async IAsyncEnumerable<EvalEvent> InstantiateNewAsync(EvalTarget target, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var missing = new SortedSet<string>(StringComparer.Ordinal);
        int attributes = 0, present = 0;
        var drvPaths = WalkerRun.Stream(nix, options, target, "instantiate", readWrite: false, attrs: null, cancellationToken);
        await foreach (var item in drvPaths.ConfigureAwait(false))
        {
            if (item is AttrEvaluated evaluated)
            {
                attributes++;
                if (!InStore(evaluated.DrvPath))
                {
                    missing.Add(evaluated.Attr);
                    continue;
                }
                present++;
            }
            yield return item;
        }
        if (missing.Count > 0)
        {
            await foreach (var item in instantiate.EvaluateAttributesAsync(target, missing, cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
        }
        LastRun = new CombinedRunStats(attributes, present, missing.Count);
    }

    private async IAsyncEnumerable<EvalEvent> WalkAsync(EvalTarget target, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var unresolved = new List<ContextDrvsUnresolved>();
        var rootDrvs = new Dictionary<string, string>(StringComparer.Ordinal);
        var inputs = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        int attributes = 0, present = 0;
        var walk = WalkerRun.Stream(nix, options, target, "walk", readWrite: false, attrs: null, cancellationToken);
        await foreach (var item in walk.ConfigureAwait(false))
        {
            switch (item)
            {
                case ContextDrvsUnresolved u:
                    unresolved.Add(u);
                    continue;
                case AttrEvaluated evaluated:
                    attributes++;
                    present += InStore(evaluated.DrvPath) ? 1 : 0;
                    rootDrvs[evaluated.Attr] = evaluated.DrvPath;
                    break;
                case DerivationSeen seen:
                    inputs[seen.DrvPath] = seen.InputDrvs ?? [];
                    break;
            }
            yield return item;
        }
        yield return new WalkEnded();
        var chosen = ChooseAttributes(unresolved, rootDrvs, inputs);
        if (chosen.Count > 0)
        {
            await foreach (var item in instantiate.EvaluateAttributesAsync(target, chosen, cancellationToken).ConfigureAwait(false))
            {
                // The walk reported the attribute already; a failure to write it is news.
                if (item is AttrFailed failed)
                {
                    yield return failed with { Message = "evaluated, but instantiating it to enter the derivations it names only inside strings failed: " + failed.Message };
                }
            }
        }
        foreach (var u in unresolved)
        {
            yield return u;
        }
        LastRun = new CombinedRunStats(attributes, present, chosen.Count);
    }

    /// <summary>
    /// Attributes to instantiate so that every derivation named only inside strings and missing from
    /// the store gets written: for each, of the attributes naming it, the one with the smallest
    /// closure (Nix writes all of it), which is then used for every other one it names.
    /// </summary>
    private List<string> ChooseAttributes(
        List<ContextDrvsUnresolved> unresolved, Dictionary<string, string> rootDrvs, Dictionary<string, IReadOnlyList<string>> inputs)
    {
        var naming = new SortedDictionary<string, List<ContextDrvsUnresolved>>(StringComparer.Ordinal);
        foreach (var u in unresolved)
        {
            foreach (var drv in u.DrvPaths.Where(p => !InStore(p)))
            {
                if (!naming.TryGetValue(drv, out var list))
                {
                    naming[drv] = list = [];
                }
                list.Add(u);
            }
        }
        var sizes = new Dictionary<string, int>(StringComparer.Ordinal);
        int Size(string attr)
        {
            if (!sizes.TryGetValue(attr, out var size))
            {
                sizes[attr] = size = rootDrvs.TryGetValue(attr, out var root) ? ClosureSize(root, inputs) : int.MaxValue;
            }
            return size;
        }
        var covered = new HashSet<string>(StringComparer.Ordinal);
        var chosen = new List<string>();
        foreach (var (drv, candidates) in naming)
        {
            if (covered.Contains(drv))
            {
                continue;
            }
            var best = candidates.OrderBy(u => Size(u.Attr)).ThenBy(u => u.Attr, StringComparer.Ordinal).First();
            chosen.Add(best.Attr);
            covered.UnionWith(best.DrvPaths);
        }
        return chosen;
    }

    private static int ClosureSize(string root, Dictionary<string, IReadOnlyList<string>> inputs)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { root };
        var stack = new Stack<string>([root]);
        while (stack.TryPop(out var drv))
        {
            foreach (var input in inputs.GetValueOrDefault(drv) ?? [])
            {
                if (seen.Add(input))
                {
                    stack.Push(input);
                }
            }
        }
        return seen.Count;
    }

    private bool InStore(string drvPath) => store.HasFile(drvPath);
}
