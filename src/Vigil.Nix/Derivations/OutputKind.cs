namespace Vigil.Nix.Derivations;

/// <summary>The five output shapes a Nix 2.8 <c>.drv</c> can hold (docs/nix-formats.md §3.4).</summary>
public enum OutputKind
{
    /// <summary>Path given, no hash: an ordinary derivation output.</summary>
    InputAddressed,

    /// <summary>Path, algorithm and hash given: a fixed-output derivation (FOD).</summary>
    Fixed,

    /// <summary>Algorithm only: content-addressed, path known after the build.</summary>
    Floating,

    /// <summary>Nothing given: input-addressed but depends on a floating output.</summary>
    Deferred,

    /// <summary>Algorithm and the literal hash <c>impure</c>.</summary>
    Impure,
}
