namespace Vigil.Farm.Scheduling;

/// <summary>A step as the scheduler sees it now (for status pages and tests).</summary>
public sealed record StepView(
    string DrvPath,
    string System,
    IReadOnlyList<string> RequiredFeatures,
    string State,
    int GlobalPriority,
    int Priority,
    IReadOnlyList<long> Jobsets,
    int CriticalPath,
    long LowestBuildId,
    int Attempts,
    string? Machine);
