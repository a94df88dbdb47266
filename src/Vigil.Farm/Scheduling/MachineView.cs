namespace Vigil.Farm.Scheduling;

/// <summary>A machine as the scheduler sees it now: its spec, the steps it runs and its last reported pressure.</summary>
public sealed record MachineView(MachineSpec Spec, int Running, double Pressure, long StepsDone);
