namespace Vigil.Store.Evaluation;

/// <summary>
/// What to evaluate: a <c>.nix</c> file (or a directory holding <c>default.nix</c>, such as a
/// flake-less nixpkgs checkout), optionally one attribute path inside it, and <c>--arg</c>/<c>--argstr</c> values.
/// </summary>
public sealed record EvalTarget(string File, string? Attr = null, IReadOnlyDictionary<string, string>? ArgStrs = null);
