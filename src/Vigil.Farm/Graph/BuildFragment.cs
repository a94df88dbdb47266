namespace Vigil.Farm.Graph;

/// <summary>
/// The result of walking one build's closure with the cutoff: the derivations that must be built
/// (Nodes, each with its input derivations), the derivations where the walk stopped because the
/// scheduler already had a step for them (Boundary), and, when the build cannot succeed, the
/// derivation whose outputs are recorded as failed. No nodes and no failure: every output exists.
/// </summary>
public sealed record BuildFragment(string TopDrv, IReadOnlyList<DrvInfo> Nodes, IReadOnlyList<string> Boundary, string? FailedDrv)
{
    public bool AllPresent => Nodes.Count == 0 && Boundary.Count == 0 && FailedDrv is null;
}
