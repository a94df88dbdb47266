namespace Vigil.Data.Farm;

/// <summary>A builder machine as last seen: what it builds (systems, supported and mandatory features) and how many steps at once.</summary>
public sealed record MachineRecord(
    string Name,
    IReadOnlyList<string> Systems,
    IReadOnlyList<string> SupportedFeatures,
    IReadOnlyList<string> MandatoryFeatures,
    int MaxJobs,
    double SpeedFactor,
    bool Enabled,
    DateTimeOffset? LastSeenAt);
