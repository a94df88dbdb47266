namespace Vigil.Fod.Scanning;

/// <summary>A snapshot of a running scan, for progress bars.</summary>
/// <param name="Phase"><c>evaluating</c>, <c>walking</c>, <c>saving</c>.</param>
/// <param name="Attrs">Attributes evaluated so far.</param>
/// <param name="DrvsRead">Derivation files read and parsed.</param>
/// <param name="DrvsKnown">Derivations skipped because the database already had them.</param>
/// <param name="Fods">FODs found so far.</param>
public sealed record ScanProgress(string Phase, int Attrs, int DrvsRead, int DrvsKnown, int Fods);
