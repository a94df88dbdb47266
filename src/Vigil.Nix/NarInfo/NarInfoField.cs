namespace Vigil.Nix.NarInfo;

/// <summary>
/// A <c>Name: value</c> line whose name this library does not know. Nix skips such lines; we keep
/// them so a file read and written back loses nothing a newer tool put there.
/// </summary>
public readonly record struct NarInfoField(string Name, string Value);
