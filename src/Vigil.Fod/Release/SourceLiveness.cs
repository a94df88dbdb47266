using Vigil.Data;

namespace Vigil.Fod.Release;

/// <summary>An FOD of a revision, its liveness row if it was ever verified, and whether a re-check is due.</summary>
public sealed record SourceLiveness(StoredFod Fod, FodLiveness? Latest, SourceState State, bool Due);
