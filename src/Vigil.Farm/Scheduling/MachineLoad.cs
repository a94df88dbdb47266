namespace Vigil.Farm.Scheduling;

/// <summary>
/// A builder's periodic report: Pressure is CPU pressure (PSI <c>some avg10</c>, percent) or, where
/// the kernel has no PSI, load1 per core × 100; higher is busier.
/// </summary>
public sealed record MachineLoad(double Pressure, DateTimeOffset At);
