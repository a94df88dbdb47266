namespace Vigil.Fod.Scanning;

/// <summary>Wall time one phase of a scan took, for seeing where a scan's time goes.</summary>
/// <param name="Name">
/// <c>evaluate</c> (the evaluator, to its last attribute), <c>lookup</c> (finding derivations the
/// database holds, and loading their edges), <c>read</c> (reading and parsing new <c>.drv</c> files,
/// FOD records included), <c>write</c> (storing new derivations and FOD records), <c>reach</c> (which
/// FODs each attribute reaches), <c>save</c> (the revision).
/// </param>
public sealed record ScanPhase(string Name, double Seconds);
