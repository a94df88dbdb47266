namespace Vigil.Farm.Scheduling;

/// <summary>
/// A builder as it joins: the systems it builds, the features it supports, the features it insists
/// on (a machine with mandatory features takes only steps requiring all of them; mandatory features
/// count as supported), its job slots, and optionally the pressure above which it takes no new step.
/// </summary>
public sealed record MachineSpec(string Name, IReadOnlyList<string> Systems, IReadOnlyList<string> SupportedFeatures, IReadOnlyList<string> MandatoryFeatures, int MaxJobs, double? MaxPressure = null);
