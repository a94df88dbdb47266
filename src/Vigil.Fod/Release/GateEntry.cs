using Vigil.Data;

namespace Vigil.Fod.Release;

/// <summary>A changed FOD of the release and its latest verification, if any.</summary>
public sealed record GateEntry(StoredFod Fod, GateOutcome Outcome, FodLiveness? Latest);
