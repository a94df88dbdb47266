namespace Vigil.Fod.Detection;

/// <summary>
/// One check over the FODs that a head revision brings in. Detectors are pure: everything they
/// need from the database, the store and caches is gathered into the <see cref="DetectionContext"/> first.
/// </summary>
public interface IDetector
{
    /// <summary>The stable name of the findings this detector reports (SARIF rule id).</summary>
    string Kind { get; }

    /// <summary>The highest severity it reports (SARIF default level).</summary>
    Severity Severity { get; }

    /// <summary>One line: what the rule means.</summary>
    string Summary { get; }

    IEnumerable<Finding> Detect(DetectionContext context);
}
