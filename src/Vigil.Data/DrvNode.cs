namespace Vigil.Data;

/// <summary>
/// A stored derivation as the scanner walks it: its id, path, whether it is an FOD, and its inputs
/// as ids of stored derivations, plus the paths of any inputs that had no row when it was written
/// (an input whose file could not be read, or one written through <see cref="VigilDatabase.WriteDrvsAsync"/>
/// before its inputs).
/// </summary>
public sealed record DrvNode(long Id, string Path, bool IsFod, long[] InputIds, string[] InputPaths);
