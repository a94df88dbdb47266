using Vigil.Data;

namespace Vigil.Fod.Scanning;

/// <summary>What a scan found and stored.</summary>
/// <param name="Phases">Where the time went, in order.</param>
/// <param name="Unresolved">Derivations the read-only backend saw only in string context and could not enter (attr, drv).</param>
public sealed record ScanResult(
    RevisionInfo Revision,
    int DrvsRead,
    int DrvsKnown,
    int DrvsInClosure,
    IReadOnlyList<EvalErrorRecord> Errors,
    IReadOnlyList<(string Attr, string DrvPath)> Unresolved,
    TimeSpan Elapsed,
    IReadOnlyList<ScanPhase> Phases);
