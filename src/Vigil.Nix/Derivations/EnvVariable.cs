namespace Vigil.Nix.Derivations;

/// <summary>An environment entry: raw bytes, since values may be any bytes (latin1, control characters).</summary>
public readonly record struct EnvVariable(byte[] Key, byte[] Value);
