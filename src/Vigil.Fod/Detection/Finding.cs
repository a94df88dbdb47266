using Vigil.Data;
using Vigil.Nix.Fetchers;

namespace Vigil.Fod.Detection;

/// <summary>
/// One problem with one FOD of the head revision.
/// </summary>
/// <param name="Kind">The detector's stable name (e.g. <c>hash-reused-with-new-recipe</c>).</param>
/// <param name="Fod">The head FOD the finding is about, with the attributes that reach it.</param>
/// <param name="Message">What was found, where from, and what to do, for a reviewer.</param>
/// <param name="Base">The base revision's FOD it replaced, when the diff paired one.</param>
/// <param name="Related">Other FODs involved: those that already had this hash or output path (records only: they need not belong to either revision).</param>
public sealed record Finding(
    string Kind,
    Severity Severity,
    StoredFod Fod,
    string Message,
    StoredFod? Base,
    IReadOnlyList<FodRecord> Related);
