namespace Vigil.Store;

/// <summary>
/// What <see cref="DerivationClosure.Visit{T}"/> does with one derivation file: make something of
/// its bytes (valid during the call only) and add the paths to follow to <paramref name="inputs"/>
/// (null when the walk visits only the roots).
/// </summary>
public delegate T VisitFile<out T>(string drvPath, ReadOnlySpan<byte> bytes, List<string>? inputs);
