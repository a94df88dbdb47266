namespace Vigil.E2E.Tests.Oracle;

/// <summary>
/// A Nix value a generated derivation attribute holds. Each knows its Nix source and, given the
/// store paths Nix reported for the batch, the exact bytes Nix's string coercion makes of it.
/// </summary>
internal abstract record NixValue;

/// <summary>A string without context; rendered with every escape and <c>fromJSON</c> for control bytes.</summary>
internal sealed record StrValue(byte[] Bytes) : NixValue;

/// <summary>A string mixing literal text and interpolated store paths (so it carries context).</summary>
internal sealed record InterpValue(IReadOnlyList<StringPart> Parts) : NixValue;

internal sealed record IntValue(long Value) : NixValue;

internal sealed record BoolValue(bool Value) : NixValue;

internal sealed record NullValue : NixValue;

/// <summary>A float exactly representable with six decimals, so C's <c>%f</c> is unambiguous.</summary>
internal sealed record FloatValue(double Value) : NixValue;

internal sealed record ListValue(IReadOnlyList<NixValue> Items) : NixValue;

/// <summary>An attribute set; only meaningful with structured attrs (plain env cannot coerce it).</summary>
internal sealed record AttrsValue(IReadOnlyList<KeyValuePair<byte[], NixValue>> Attrs) : NixValue;

/// <summary>A store path used as a bare value: a derivation (or one of its outputs) or a path literal.</summary>
internal sealed record RefValue(StoreRef Ref) : NixValue;

/// <summary>A piece of an interpolated string.</summary>
internal abstract record StringPart;

internal sealed record TextPart(byte[] Bytes) : StringPart;

internal sealed record RefPart(StoreRef Ref) : StringPart;

/// <summary>Something in the store a value can point at.</summary>
internal abstract record StoreRef;

/// <summary><c>dN</c> (its first output) or <c>dN.OUTPUT</c>.</summary>
internal sealed record DrvOutputRef(string DrvId, string? Output) : StoreRef;

/// <summary><c>dN.drvPath</c>: pulls the whole closure of dN into the dependent's inputs.</summary>
internal sealed record DrvPathRef(string DrvId) : StoreRef;

/// <summary>A <c>builtins.toFile</c> binding <c>fN</c>.</summary>
internal sealed record TextFileRef(string FileId) : StoreRef;

/// <summary>A path literal <c>./files/NAME</c>, copied to the store as a source.</summary>
internal sealed record PathLiteralRef(string FileName) : StoreRef;
