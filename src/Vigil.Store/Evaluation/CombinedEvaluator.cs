using System.Runtime.CompilerServices;

namespace Vigil.Store.Evaluation;

/// <summary>
/// <c>combined</c>, the fast path: a read-only pass gives every attribute's drvPath without writing;
/// only attributes whose <c>.drv</c> is not in the store yet are instantiated, so Nix writes only new
/// files. Attributes whose string-context derivations (<see cref="ContextDrvsUnresolved"/>) are
/// missing are instantiated too, so that the native closure walk over <c>.drv</c> files covers what
/// the read-only walk could not enter. Emits the read-only events and one
/// <see cref="AttrEvaluated"/> or <see cref="AttrFailed"/> per attribute; an attribute whose
/// <c>.drv</c> has to be written is reported once its instantiation is done.
/// </summary>
public sealed class CombinedEvaluator : IEvaluator
{
    private readonly NixProcess nix;
    private readonly EvaluatorOptions options;
    private readonly bool walk;
    private readonly InstantiateEvaluator instantiate;
    private readonly StoreLocation store;

    /// <param name="nix">How to run Nix, and which store to check and fill.</param>
    /// <param name="options">Jobs and error messages, for both passes.</param>
    /// <param name="walk">True: the read-only pass is the full <see cref="ReadOnlyEvaluator"/> walk, whose
    /// events are passed on. False: it only computes each attribute's drvPath (about a third of the
    /// walk's cost), for callers that walk the <c>.drv</c> files anyway; a <c>.drv</c> in the store
    /// implies its whole closure is there, so nothing is missed.</param>
    public CombinedEvaluator(NixProcess nix, EvaluatorOptions? options = null, bool walk = true)
    {
        ArgumentNullException.ThrowIfNull(nix);
        this.nix = nix;
        this.options = options ?? EvaluatorOptions.Default;
        this.options.Validate();
        this.walk = walk;
        instantiate = new InstantiateEvaluator(nix, options);
        store = nix.Options.StoreLocation;
    }

    public string Name => "combined";

    /// <summary>Counts of the most recent run that ran to its end.</summary>
    public CombinedRunStats? LastRun { get; private set; }

    public async IAsyncEnumerable<EvalEvent> EvaluateAsync(EvalTarget target, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var missing = new SortedSet<string>(StringComparer.Ordinal);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        int attributes = 0, present = 0;
        var firstPass = WalkerRun.Stream(nix, options, target, walk ? "walk" : "instantiate", readWrite: false, attrs: null, cancellationToken);
        await foreach (var item in firstPass.ConfigureAwait(false))
        {
            switch (item)
            {
                case AttrEvaluated evaluated:
                    attributes++;
                    if (InStore(evaluated.DrvPath))
                    {
                        present++;
                        reported.Add(evaluated.Attr);
                        yield return item;
                    }
                    else
                    {
                        missing.Add(evaluated.Attr);
                    }
                    break;
                case ContextDrvsUnresolved unresolved:
                    if (!unresolved.DrvPaths.All(InStore))
                    {
                        missing.Add(unresolved.Attr);
                    }
                    yield return item;
                    break;
                default:
                    yield return item;
                    break;
            }
        }
        if (missing.Count > 0)
        {
            await foreach (var item in instantiate.EvaluateAttributesAsync(target, missing, cancellationToken).ConfigureAwait(false))
            {
                // An attribute instantiated only for its string-context derivations was reported already.
                if (item is AttrEvaluated evaluated && !reported.Add(evaluated.Attr))
                {
                    continue;
                }
                yield return item;
            }
        }
        LastRun = new CombinedRunStats(attributes, present, missing.Count);
    }

    private bool InStore(string drvPath) => File.Exists(store.RealPath(drvPath));
}
