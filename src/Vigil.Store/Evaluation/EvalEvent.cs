namespace Vigil.Store.Evaluation;

/// <summary>What an evaluator reports, streamed as it goes.</summary>
public abstract record EvalEvent;

/// <summary>An attribute (dotted path) evaluated to a derivation.</summary>
public sealed record AttrEvaluated(string Attr, string DrvPath) : EvalEvent;

/// <summary>An attribute failed to evaluate; the scan goes on without it.</summary>
public sealed record AttrFailed(string Attr, string Message) : EvalEvent;

/// <summary>
/// Read-only backend only: a derivation reached through attributes, with its output path and,
/// for an FOD, the attributes that describe what it fetches (env-style text values: outputHash,
/// outputHashAlgo, outputHashMode, url, urls, rev, builder, mirrorsFile…; for structured attrs the
/// same keys). <paramref name="MirrorsListDrv"/> is the drv path of its <c>mirrorsFile</c> derivation, if any.
/// <paramref name="Attr"/> is the first attribute whose walk reached it. <paramref name="InputDrvs"/>
/// (additive) are the derivations it depends on as its <c>.drv</c>'s inputDrvs would list them, held
/// as attribute values or named inside strings (sorted, distinct): the edges of the graph, from which
/// the attributes reaching a derivation follow without any <c>.drv</c> file. Those named only inside
/// strings and never walked are also reported by <see cref="ContextDrvsUnresolved"/>.
/// </summary>
public sealed record DerivationSeen(
    string Attr,
    string DrvPath,
    string OutputPath,
    string Name,
    IReadOnlyDictionary<string, string>? FodAttrs,
    string? MirrorsListDrv,
    IReadOnlyList<string>? InputDrvs = null) : EvalEvent;

/// <summary>Read-only backend only: a mirror list derivation and its sites (site → space-separated base URLs).</summary>
public sealed record MirrorListSeen(string DrvPath, IReadOnlyDictionary<string, string> Sites) : EvalEvent;

/// <summary>
/// <see cref="CombinedEvaluator"/> writing only what is needed: the read-only walk is over, so every
/// <see cref="DerivationSeen"/> and <see cref="MirrorListSeen"/> has been reported. What follows, writing
/// the derivations named only inside strings, takes one more Nix evaluation, which a consumer can
/// overlap with its own work on the descriptions.
/// </summary>
public sealed record WalkEnded : EvalEvent;

/// <summary>
/// Read-only backend only: derivations an attribute depends on only through string context
/// (<c>builtins.getContext</c>), which an attribute walk cannot enter; the scan must instantiate
/// them (or the attribute) to be complete.
/// </summary>
public sealed record ContextDrvsUnresolved(string Attr, IReadOnlyList<string> DrvPaths) : EvalEvent;
