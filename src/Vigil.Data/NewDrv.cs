namespace Vigil.Data;

/// <summary>
/// A derivation to store with <see cref="VigilDatabase.WriteDrvNodesAsync"/>. Each input is named
/// once, in one of three ways: the id of a derivation already stored (<paramref name="InputIds"/>),
/// the index of another entry of the same batch (<paramref name="BatchInputs"/>), or, for an input
/// that has no row (its file could not be read), its path (<paramref name="InputPaths"/>).
/// </summary>
public sealed record NewDrv(string Path, bool IsFod, IReadOnlyList<long> InputIds, IReadOnlyList<int> BatchInputs, IReadOnlyList<string> InputPaths);
