namespace Vigil.Builder.Telemetry;

/// <summary>One /proc/pressure file's avg10 values, in percent: "some" and "full" (0 when the file has no full line).</summary>
public readonly record struct PressureReading(double SomeAvg10, double FullAvg10);
