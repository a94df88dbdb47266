namespace Vigil.Store.Evaluation;

/// <summary>Which <c>.drv</c> files a <see cref="CombinedEvaluator"/> has Nix write.</summary>
public enum DrvWrites
{
    /// <summary>
    /// Every root attribute whose <c>.drv</c> is not in the store yet, found by a pass that only
    /// computes drvPaths. Every FOD can then be rebuilt from its file (<c>vigil verify</c>), and the
    /// scan walks files; on a fresh store this costs a full <c>nix-instantiate</c>.
    /// </summary>
    New,

    /// <summary>
    /// Only what a read-only walk cannot enter: derivations named only inside strings, each through
    /// one attribute that reaches it. Everything else is described by the walk itself, which writes
    /// nothing; FODs that must be rebuilt to be verified need their attribute instantiated first.
    /// </summary>
    Needed,
}
