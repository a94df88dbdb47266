namespace Vigil.Vuln.Matching;

/// <summary>What matching decided about one (package, affected product) candidate.</summary>
public enum MatchOutcome
{
    /// <summary>Same project, and the package's version is in an affected range.</summary>
    Affected,

    /// <summary>Same name, but the version is outside every affected range (or in an unaffected one).</summary>
    OutOfRange,

    /// <summary>Same name, another project: a repository or ecosystem the package does not have.</summary>
    Rejected,
}
