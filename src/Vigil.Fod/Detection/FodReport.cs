using Vigil.Data;
using Vigil.Fod.Diff;

namespace Vigil.Fod.Detection;

/// <summary>The diff of two revisions and every finding about what the head brings in, most severe first.</summary>
public sealed record FodReport(RevisionInfo Base, RevisionInfo Head, FodDiff Diff, IReadOnlyList<Finding> Findings)
{
    /// <summary>The most severe finding's severity, or null when there is none.</summary>
    public Severity? Worst => Findings.Count == 0 ? null : Findings.Max(f => f.Severity);
}
