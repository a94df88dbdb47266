namespace Vigil.Nix.Nar;

/// <summary>What a streamed NAR was: its SHA-256 (32 bytes) and its size in bytes.</summary>
public readonly record struct NarStreamResult(byte[] Sha256, ulong Size);
