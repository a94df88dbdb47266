namespace Vigil.Farm.Scheduling;

/// <summary>
/// Scheduler settings. ShareHalfLife: how fast charged build time is forgotten (fair share over a
/// sliding horizon, without Hydra's 24 h window that it never updated). MaxUnsupportedTime: how long
/// a runnable step may wait with no machine able to build it at all before it fails as Unsupported.
/// MaxSilent and Timeout are the floors given to steps that are only dependencies (Hydra's rule:
/// a test's short timeout must not kill a dependency's build).
/// </summary>
public sealed record SchedulerOptions(RetryPolicy Retry, TimeSpan ShareHalfLife, TimeSpan MaxUnsupportedTime, int MaxSilent = 3600, int Timeout = 36000)
{
    public static SchedulerOptions Default { get; } = new(RetryPolicy.Default, TimeSpan.FromHours(6), TimeSpan.FromSeconds(120));
}
